"""Export formats read back by the real consumers: dotenv and gitlab files sourced by every
shell on the machine (``set -a; . FILE``) give back each value byte for byte and run nothing;
python-dotenv reads the dotenv file to the same values where the quoting allows; the
deny-list and the key-variable rule, as data."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from secretsfile.errors import UsageError
from secretsfile.ops.exporting import (
    DENIED_VARIABLES,
    FORMATS,
    DeniedVariableError,
    check_variables,
    denied_reason,
    dotenv_quote,
    is_key_variable,
    render,
)

# Each tries to run 'touch pwned' (or expand something) when sourced carelessly.
HOSTILE = [
    "$(touch pwned)", "`touch pwned`", "${HOME}", "$HOME", "$", "$$", "\\", "\\\\", "abc\\",
    "\\n is not a newline", "it's", "'", "''", '"', '"quoted"', "a'b$c", "a'b`touch pwned`",
    "'; touch pwned; '", '"; touch pwned; "', "$'\\x41'", "line one\nline two\n",
    "\n\nleading newlines", "trailing newline\n", "tab\there", "carriage\rreturn",
    "100% %s %d %n", "p%40ss%0A%s", "ünïcödé ✓ 🔑", "ünï✓🔑", "  spaces around  ", "",
    "!event", "*", "~", "~/x",
    "a=b=c", "#not a comment", "x#y", "#y", "x;touch pwned", "x|touch pwned", "x&&touch pwned",
    "<(touch pwned)", "C:\\Program Files\\x", '{"json": "with \\"escapes\\""}',
    "-----BEGIN KEY-----\nabc$def`ghi'jkl\"mno\\pqr\n-----END KEY-----\n",
]
VARIABLES = {f"V{number}": value for number, value in enumerate(HOSTILE)}


def _shells() -> list[str]:
    """Every distinct POSIX shell here (sh is dash on Debian, bash elsewhere)."""
    found: dict[str, str] = {}
    for name in ("bash", "dash", "sh", "zsh", "busybox", "ksh", "mksh"):
        path = shutil.which(name)
        if path and os.path.realpath(path) not in found:
            found[os.path.realpath(path)] = name
    return list(found.values())


def source(shell: str, text: str, names: list[str], tmp_path: Path) -> dict[str, bytes]:
    """Source ``text`` with ``set -a; . ./FILE`` in ``shell`` and read each variable back,
    byte for byte, from a child that sees the exported environment."""
    workdir = tmp_path / shell
    workdir.mkdir()
    (workdir / "out.env").write_text(text, encoding="utf-8")
    argv = [shell, "sh"] if shell == "busybox" else [shell]
    dumps = "".join(f'printf %s "${name}" > ./{name}.value\n' for name in names)
    result = subprocess.run([*argv, "-c", f"set -a; . ./out.env\n{dumps}"], cwd=workdir,
                            capture_output=True, timeout=60)
    assert result.returncode == 0 and result.stderr == b"", (shell, result.stderr)
    assert not (workdir / "pwned").exists(), f"{shell} ran a command from the file"
    assert sorted(p.name for p in workdir.iterdir()) == sorted(
        ["out.env", *(f"{name}.value" for name in names)])
    return {name: (workdir / f"{name}.value").read_bytes() for name in names}


@pytest.mark.parametrize("shell", _shells())
def test_dotenv_sourced_by_a_shell_gives_back_every_value(shell: str, tmp_path: Path) -> None:
    text = render(VARIABLES, "dotenv")
    got = source(shell, text, list(VARIABLES), tmp_path)
    assert got == {name: value.encode("utf-8") for name, value in VARIABLES.items()}


@pytest.mark.parametrize("shell", _shells())
def test_gitlab_lines_are_inert_in_a_shell(shell: str, tmp_path: Path) -> None:
    """What the gitlab format writes reads the same to GitLab (the text after the first
    '=', stripped) and to a shell; everything else is refused, naming no value."""
    safe = {name: value for name, value in VARIABLES.items() if _gitlab_accepts(value)}
    assert {"p%40ss%0A%s", "a=b=c", "ünï✓🔑", "!event", "*", "x#y"} <= \
        set(safe.values())
    text = render(safe, "gitlab")
    gitlab = dict(line.split("=", 1) for line in text.splitlines())
    assert {name: value.strip() for name, value in gitlab.items()} == safe
    got = source(shell, text, list(safe), tmp_path)
    assert got == {name: value.encode("utf-8") for name, value in safe.items()}


def _gitlab_accepts(value: str) -> bool:
    try:
        render({"V": value}, "gitlab")
    except UsageError as error:
        assert str(error).startswith("cannot write V as a GitLab")  # fixed text, no value
        return False
    return True


def test_gitlab_refuses_what_a_shell_would_interpret() -> None:
    for value in ["$(touch pwned)", "`x`", "a b", "it's", '"', "x;y", "a\nb", "~", "\\", ""]:
        if value:
            assert not _gitlab_accepts(value), value
    with pytest.raises(UsageError, match="cannot write A, C as a GitLab"):
        render({"A": "x y", "B": "fine", "C": "$x"}, "gitlab")


def test_python_dotenv_reads_the_same_values_where_the_quoting_allows() -> None:
    dotenv = pytest.importorskip("dotenv")
    readable = {name: value for name, value in VARIABLES.items()  # forms 1 and 2
                if "\r" not in value and (("'" not in value and "\\" not in value) or (
                    "$" not in value and "`" not in value and not value.endswith("\\")))}
    assert len(readable) > len(VARIABLES) * 3 // 4
    text = render(readable, "dotenv")
    parsed = dotenv.dotenv_values(stream=io.StringIO(text), interpolate=False)
    assert parsed == readable
    # python-dotenv expands ${NAME} in any quotes by default, with no way to escape it
    plain = {name: value for name, value in readable.items() if "${" not in value}
    text = render(plain, "dotenv")
    assert dotenv.dotenv_values(stream=io.StringIO(text)) == plain


def test_dotenv_quoting_forms() -> None:
    assert dotenv_quote("plain $x `y`") == "'plain $x `y`'"
    assert dotenv_quote('it\'s "C:\\x"') == '"it\'s \\"C:\\\\x\\""'
    assert dotenv_quote("it's $x") == "'it'\\''s $x'"


@pytest.mark.parametrize("name", [
    "PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "DYLD_INSERT_LIBRARIES", "BASH_ENV",
    "ENV", "PROMPT_COMMAND", "SHELLOPTS", "BASHOPTS", "IFS", "PS4", "HOME", "PYTHONPATH",
    "PYTHONSTARTUP", "PYTHONHOME", "PERL5LIB", "PERL5OPT", "RUBYOPT", "RUBYLIB",
    "NODE_OPTIONS", "NODE_PATH", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS",
    "GIT_SSH", "GIT_SSH_COMMAND", "GIT_EXEC_PATH", "GIT_ASKPASS", "GIT_CONFIG_COUNT",
    "GIT_CONFIG_KEY_0", "GIT_CONFIG_PARAMETERS", "SSH_ASKPASS", "GITHUB_ENV", "GITHUB_TOKEN",
    "RUNNER_TEMP", "ACTIONS_RUNTIME_TOKEN", "CI", "CI_JOB_TOKEN", "GITLAB_USER_LOGIN",
    "EDITOR", "VISUAL", "PAGER", "LESSOPEN",
    "SOPS_AGE_KEY_FILE", "SECRETSFILE_CONFIG", "GCONV_PATH", "GLIBC_TUNABLES", "path",
])
def test_denied(name: str) -> None:
    assert denied_reason(name) is not None


@pytest.mark.parametrize("name", [
    "DB_PASSWORD", "API_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GIT_TOKEN",
    "GITLAB_TOKEN", "NPM_TOKEN", "HTTPS_PROXY", "PIP_INDEX_URL", "DATABASE_URL",
    "PATHWAY_KEY", "HOMEPAGE_URL", "CIRCLE_TOKEN", "ENVIRONMENT", "LDAP_PASSWORD",
])
def test_allowed(name: str) -> None:
    assert denied_reason(name) is None


def test_deny_list_is_data_without_duplicates() -> None:
    patterns = [p for group, _ in DENIED_VARIABLES for p in group]
    assert len(patterns) == len(set(patterns))
    assert all(p == p.upper() and " " not in p for p in patterns)


def _first_matching_group(name: str) -> str | None:
    """The deny-list read literally: the first group with a pattern matching ``name``."""
    upper = name.upper()
    for patterns, reason in DENIED_VARIABLES:
        for pattern in patterns:
            if upper == pattern or (pattern.endswith("*") and upper.startswith(pattern[:-1])):
                return reason
    return None


def test_the_deny_list_index_answers_as_the_patterns_read_in_order() -> None:
    names = [pattern.rstrip("*") + tail for group, _ in DENIED_VARIABLES for pattern in group
             for tail in ("", "X", "_Y", "x")]
    names += ["ci", "Path", "gitlab_ci", "COR_", "CORECLR_X", "PYTHON", "key_00001", "", "_"]
    assert [denied_reason(n) for n in names] == [_first_matching_group(n) for n in names]


@pytest.mark.parametrize("name", ["A", "_", "a_1", "Z9", "1A", "A-B", "A B", "É", "A\nB",
                                  "A\u0660", "", "if", "ABC\n", "ŝ"])
def test_the_name_shortcut_accepts_only_what_the_one_rule_accepts(name: str) -> None:
    from secretsfile.ops.exporting.denylist import _plainly_valid
    from secretsfile.secrets.naming import is_variable_name

    assert _plainly_valid(name) == is_variable_name(name)


def test_exec_env_machinery_imports_no_export_format_and_no_secrets_layer() -> None:
    """exec-env's start-up (issue 14): the deny-list without the CI formats, the secrets
    layer or dataclasses; the package's names still load on first use."""
    code = ("import sys\n"
            "from secretsfile.ops import execing, running\n"
            "from secretsfile.ops.exporting.denylist import check_variables\n"
            "check_variables({'DB_USER': 'x'}, {})\n"
            "heavy = ('dataclasses', 'uuid', 'secretsfile.secrets.variables',\n"
            "         'secretsfile.ops.exporting.base', 'secretsfile.ops.exporting.github')\n"
            "print(' '.join(m for m in heavy if m in sys.modules))\n"
            "import secretsfile.ops.exporting as e\n"
            "print(sorted(e.FORMATS) == sorted(['github', 'gitlab', 'dotenv', 'json']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.split("\n")[:2] == ["", "True"]


def test_check_variables_names_origin_and_hint_never_the_value() -> None:
    with pytest.raises(DeniedVariableError) as caught:
        check_variables({"PATH": "/PLANTED", "OK": "fine"}, {"PATH": "secret 'path'"})
    text = str(caught.value)
    assert "PATH (from secret 'path'" in text and "--allow PATH" in text
    assert "/PLANTED" not in text and "\n" not in text
    check_variables({"PATH": "/x"}, {}, allow=["path"])  # case-insensitive, like Windows


@pytest.mark.parametrize(("name", "expected"), [
    ("SECRETSFILE_AGE_KEY", True), ("SECRETSFILE_AGE_KEY_PROD", True),
    ("SECRETSFILE_AGE_KEY_X_FILE", True), ("SECRETSFILE_AGE_KEY_FILE", True),
    ("SOPS_AGE_KEY", True), ("SOPS_AGE_KEY_FILE", True), ("SOPS_AGE_KEY_CMD", True),
    ("SOPS_AGE_SSH_PRIVATE_KEY_FILE", True), ("SECRETSFILE_FERNET_KEY", True),
    ("SECRETSFILE_FERNET_KEY_FILE", True), ("SECRETSFILE_ENV", False),
    ("SECRETSFILE_CONFIG", False), ("SOPS_AGE_RECIPIENTS", False), ("DB_PASSWORD", False),
])
def test_key_variables(name: str, expected: bool) -> None:
    assert is_key_variable(name) is expected


def test_every_key_variable_the_key_sources_read_is_one() -> None:
    from secretsfile.keysources import age, fernet

    for name in (*age.KEY_VARIABLES, *fernet.KEY_VARIABLES, age.env_key_var("x-file"),
                 age.env_key_var("prod"), *(f"{n}_FILE" for n in age.KEY_VARIABLES)):
        assert is_key_variable(name), name


# -- the registry: what every format promises (a new format's module gets these for free) --

@pytest.mark.parametrize("name", list(FORMATS))
def test_every_registered_format_meets_the_interface(name: str) -> None:
    fmt = FORMATS[name]
    assert fmt.name == name and fmt.summary.strip()
    text = fmt.render({"PLAIN": "value-1", "OTHER": "value-2"})
    assert "PLAIN" in text and "value-1" in text and text.index("PLAIN") < text.index("OTHER")
    assert render({}, name) == fmt.render({})


def test_ci_export_offers_exactly_the_registry() -> None:
    from secretsfile.cli.run_cmd import FORMAT_HELP, FormatName

    assert [member.value for member in FormatName] == list(FORMATS)
    assert all(f"{name}: " in FORMAT_HELP for name in FORMATS)
