"""Passwords on administration command lines and in scripts: remote execution tools,
PowerShell, Windows `net`, sshpass, the MySQL client, wget, openssl/keytool, and SQL user
statements.

Each rule anchors on the tool's name (its keyword) and takes the argument of the tool's own
password option; variables, prompts (`*`) and templates are not findings.
"""

from __future__ import annotations

from secretsfile.scanner.model import Allowlist, Rule

from . import generic
from ._common import MASKED
from .uris import PASSWORD_PLACEHOLDER

# Shared by every rule here: templates/variables, documentation values, single words.
_ARGUMENT = (
    PASSWORD_PLACEHOLDER,
    MASKED,
    generic.TEMPLATE_REFERENCE,
    generic.PLACEHOLDER,
    generic.DICTIONARY_WORD,
    Allowlist(
        regexes=(r"^-", r"^[\d.:/-]+$", r"(?i:^(?:env|file|fd|stdin|pass):)"),
        description="another option, a number or port mapping, or a pointer to the password",
    ),
)

RULES: tuple[Rule, ...] = (
    Rule(
        id="psexec-password",
        description="Password given to PsExec / PAExec with -p",
        regex=r"(?i)\b(?:psexec(?:64)?|paexec)(?:\.exe)?\b[^\n]*?\s-p\s+[\"']?([^\s\"']{3,128})",
        keywords=("psexec", "paexec"),
        secret_group=1,
        entropy=2.0,
        allowlists=_ARGUMENT,
        true_samples=(
            r"psexec \\fs02 -u CORP\svc_backup -p oo86L^uYUEtCM -h cmd /c backup.bat",
            r'PsExec64.exe \\10.1.4.20 -accepteula -u administrator -p "j63Ac@u30whOsyVyd" ipconfig /all',
        ),
        false_samples=(
            r"psexec \\host -u admin -p %ADMIN_PW% cmd",
            "psexec -s -i cmd.exe",
            r"psexec \\host -u admin -p $pw cmd",
        ),
        tags=("cli", "windows"),
    ),
    Rule(
        id="powershell-password-param",
        description="Literal argument of a -Password / -AccountPassword parameter (PowerShell, PowerCLI)",
        regex=r"(?i)(?:^|[\s(])-(?:password|accountpassword|vcenterpassword)[ \t]+[\"']?([^\s\"'`$(){}]{4,128})",
        keywords=("-password", "-accountpassword", "-vcenterpassword"),
        secret_group=1,
        entropy=2.0,
        allowlists=_ARGUMENT,
        true_samples=(
            'Connect-VIServer -Server vc01.corp.local -User administrator@vsphere.local -Password "m3LI9_jq9Ti4vJtfBX"',
            "Connect-VIServer vcsa.lab.internal -User root -Password cPB2dZkjWbeJcO",
        ),
        false_samples=(
            "Connect-VIServer -Server vc01 -Credential $cred",
            "Connect-VIServer -Server $vc -User $u -Password $env:VC_PASS",
            "New-LocalUser -Name svc -Password (Read-Host -AsSecureString)",
            "Use the -Password parameter to pass a SecureString.",
        ),
        tags=("cli", "powershell"),
    ),
    Rule(
        id="powershell-securestring-literal",
        description="Plain-text password turned into a SecureString (ConvertTo-SecureString ... -AsPlainText)",
        regex=(
            r"(?i)(?=[^\n]*-asplaintext)convertto-securestring(?:\s+-(?:asplaintext|force)\b)*"
            r"\s+(?:-string\s+)?[\"']([^\"'\r\n]{4,128})[\"']"
        ),
        keywords=("convertto-securestring",),
        secret_group=1,
        entropy=2.0,
        allowlists=_ARGUMENT,
        true_samples=(
            '$pw = ConvertTo-SecureString "Ct8g2_boClKeQapILe" -AsPlainText -Force',
            "$cred = New-Object PSCredential('CORP\\svc', (ConvertTo-SecureString -String '4ffLx#pBx7V4a' -AsPlainText -Force))",
        ),
        false_samples=(
            "$pw = ConvertTo-SecureString $env:SVC_PASS -AsPlainText -Force",
            "$pw = Read-Host -AsSecureString",
            '$pw = ConvertTo-SecureString "$plain" -AsPlainText -Force',
            '$pw = ConvertTo-SecureString "01000000d08c9ddf0115d1118c7a00c04fc297eb"',
        ),
        tags=("cli", "powershell"),
    ),
    Rule(
        id="net-use-password",
        description="Password on a Windows `net use ... /user:` or `net user NAME PASSWORD` command",
        regex=(
            r"(?i)\bnet\s+(?:use\b[^\n]*?(?:\\\\[^\s\"']+|/user:[^\s\"']+)|user\s+[\"']?[^\s\"'/]+[\"']?)"
            r"[ \t]+[\"']?([^\s\"'/*][^\s\"']{3,127})"
        ),
        keywords=("/user:", "net user"),
        secret_group=1,
        entropy=2.0,
        allowlists=_ARGUMENT,
        true_samples=(
            r"net use Z: \\fs01\finance Nu6xH#t92k4RXj1 /user:CORP\svc_reports /persistent:no",
            "net user backup_admin 1p2yk%PGvkAfPMriJ /add /y",
            r"net use \\fs01\ipc$ /user:CORP\svc_copy Lw3@pq8Zr5Tn",
        ),
        false_samples=(
            r"net use Z: \\fs01\finance * /user:CORP\jdoe",
            r"net use Z: \\fs01\finance /user:CORP\svc %SVC_PASS%",
            "net user jdoe /domain",
            "run net user accounts listed here",
        ),
        tags=("cli", "windows"),
    ),
    Rule(
        id="sshpass-password",
        description="Password given to sshpass with -p",
        regex=r"\bsshpass\b[^\n]*?\s-p[ \t]*[\"']?([^\s\"']{3,128})",
        keywords=("sshpass",),
        secret_group=1,
        entropy=2.0,
        allowlists=_ARGUMENT,
        true_samples=(
            "sshpass -p 'iGZ5Q#GE1p92X' ssh -o StrictHostKeyChecking=no deploy@10.0.7.15",
            "sshpass -pgz1Az8z64r0SbQF scp build.tgz ops@bastion.corp.internal:/tmp/",
        ),
        false_samples=(
            "sshpass -e ssh deploy@host",
            'sshpass -p "$SSHPASS" ssh deploy@host',
            "sshpass -f ~/.pw ssh -p 2222 deploy@host",
        ),
        tags=("cli", "ssh"),
    ),
    Rule(
        id="mysql-cli-password",
        description="Password glued to -p on a mysql / mysqldump / mariadb command line",
        regex=r"(?i:\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mariadb(?:-dump)?)\b)[^\n]*?\s-p[\"']?([^\s\"'-][^\s\"']{2,127})",
        keywords=("mysql", "mariadb"),
        secret_group=1,
        entropy=2.0,
        allowlists=_ARGUMENT,
        true_samples=(
            "mysqldump -h db01.corp.internal -u backup -p5vVanURLJ8aZin9m --single-transaction shop > shop.sql",
            "mysql -uroot -p'HAqY1!ds5vzH5K' -e 'SHOW DATABASES'",
        ),
        false_samples=(
            "mysql -u root -p shop",
            'mysql -u root -p"$MYSQL_ROOT_PASSWORD" shop',
            "docker run --name mysql -p3306:3306 -d mysql:8",
            'cmd = "mysql -u %s -p%s" % (user, pw)',
        ),
        tags=("cli", "mysql"),
    ),
    Rule(
        id="wget-password",
        description="wget --http-password / --ftp-password / --proxy-password with a literal value",
        regex=r"\bwget\b[^\n]*?\s--(?:http|ftp|proxy)-password[ =][\"']?([^\s\"']{4,128})",
        keywords=("wget",),
        secret_group=1,
        entropy=2.0,
        allowlists=_ARGUMENT,
        true_samples=("wget --http-user=ci --http-password=quzmpbuM5vsXsNZb https://artifacts.corp.internal/app.tgz",),
        false_samples=("wget --http-user=ci --http-password=$ARTIFACT_PASS https://artifacts.corp.internal/app.tgz",),
        tags=("cli",),
    ),
    Rule(
        id="openssl-keytool-password",
        description="Literal password for openssl (-passin/-passout pass:...) or keytool (-storepass, -keypass)",
        regex=(
            r"(?i)(?:^|\s)-(?:(?:passin|passout|pass|password)[ \t]+pass:|(?:src|dest)?(?:storepass|keypass)[ \t]+[\"']?)"
            r"([^\s\"'$%{}<>]{4,128})"
        ),
        keywords=("pass:", "storepass", "keypass"),
        secret_group=1,
        entropy=2.0,
        allowlists=_ARGUMENT,
        true_samples=(
            "openssl pkcs12 -export -in svc.crt -inkey svc.key -out svc.p12 -passout pass:Hq7mV2xTz9pL4w",
            "keytool -importcert -alias corp-ca -file ca.crt -keystore truststore.jks -storepass 'Zr4!kLm8Qx2v' -noprompt",
        ),
        false_samples=(
            "openssl rsa -in key.pem -passin env:KEY_PASS -out plain.pem",
            "keytool -list -keystore cacerts -storepass changeit",
            "openssl pkcs12 -in in.p12 -passin pass:$P12_PASS -nodes",
            "keytool -genkey -keystore app.jks -storepass:env STORE_PASS",
        ),
        tags=("cli",),
    ),
    Rule(
        id="sql-user-password",
        description="Password in a SQL CREATE/ALTER USER|ROLE|LOGIN, IDENTIFIED BY or SET PASSWORD statement",
        regex=(
            r"(?i)\b(?:(?:create|alter)\s+(?:user|role|login)\b[^;\n]{0,200}?\bpassword"
            r"|identified\s+(?:with\s+\w+\s+)?by|set\s+password\b[^;\n]{0,100}?=)"
            r"\s*=?\s*(?:password\s*\(\s*)?'([^'\r\n]{4,128})'"
        ),
        keywords=("identified", "create user", "alter user", "create role", "alter role", "create login",
                  "alter login", "set password"),
        secret_group=1,
        entropy=2.0,
        allowlists=_ARGUMENT,
        true_samples=(
            "CREATE USER 'reporting'@'%' IDENTIFIED BY 'cON6S*irJcajwUOCL';",
            "ALTER ROLE app_rw WITH LOGIN PASSWORD 'zCbl4!LUgVTyRUZEBEk';",
            "CREATE LOGIN etl_svc WITH PASSWORD = 'Rp8#wXk2Lm9vQ4';",
            "GRANT ALL ON shop.* TO 'shop'@'10.0.%' IDENTIFIED BY 'Kd93!mZpQx7w';",
        ),
        false_samples=(
            "CREATE USER 'app'@'%' IDENTIFIED BY 'password';",
            "ALTER ROLE app_rw WITH PASSWORD :'pw';",
            "CREATE USER app WITH PASSWORD '${APP_DB_PASSWORD}';",
            "CREATE USER 'app'@'%' IDENTIFIED BY '<password>';",
        ),
        tags=("sql",),
    ),
)
