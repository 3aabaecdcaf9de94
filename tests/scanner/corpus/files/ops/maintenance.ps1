# nightly maintenance
psexec \\fs02 -u CORP\svc_backup -p rkQvT7^T25dA7X -h cmd /c backup.bat
Connect-VIServer -Server vc01.corp.local -User administrator@vsphere.local -Password "dUXK9t@DZODRV"
net use Z: \\fs01\finance AuMYuZ.uekF2qgtnFt /user:CORP\svc_reports /persistent:no
$pw = ConvertTo-SecureString "BQ8Kmx#oNcn7MwvKEK" -AsPlainText -Force
psexec \\host -u admin -p %ADMIN_PW% cmd
Connect-VIServer -Server $vc -User $u -Password $env:VC_PASS
net use Z: \\fs01\finance * /user:CORP\jdoe
$pw = Read-Host -AsSecureString
