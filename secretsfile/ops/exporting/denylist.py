"""Which variables a secret may not set, and which ones hold key material.

A secret named ``ld-preload`` or ``path`` would become ``LD_PRELOAD`` or ``PATH`` and change
how every later program loads or runs, so such names are refused unless the caller allows
them one by one. Shared by every export format, by ``run`` and by the loader's
``export_to_environ``; it applies to every name, ``exports:`` and schema names included.
"""

from __future__ import annotations

from secretsfile.errors import UsageError

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Collection, Iterable, Mapping
    from typing import Any, Protocol

    from secretsfile.secrets.variables import Variable
else:
    Protocol = object  # only mypy checks EnvironmentSecrets: at run time a plain class

# (patterns, why): a pattern ending in '*' is a prefix. Matching is case-insensitive, as
# Windows environments are. Left out on purpose: proxies, CA bundles, package-index URLs and
# cloud credentials (AWS_*, ...), which redirect traffic but execute nothing and are often the
# very secrets people store.
DENIED_VARIABLES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("LD_*", "DYLD_*", "GCONV_PATH", "GLIBC_TUNABLES", "LOCPATH", "NLSPATH", "MALLOC_TRACE",
      "HOSTALIASES", "RESOLV_HOST_CONF"),
     "read by the dynamic loader or the C library: loads code into every program"),
    (("PATH", "PATHEXT", "COMSPEC", "HOME", "USERPROFILE", "XDG_*", "TMPDIR", "SHELL"),
     "decides which programs run and which startup files they read"),
    (("BASH_*", "ENV", "PROMPT_COMMAND", "SHELLOPTS", "BASHOPTS", "IFS", "PS0", "PS1", "PS2",
      "PS3", "PS4", "CDPATH", "GLOBIGNORE", "FPATH", "ZDOTDIR", "INPUTRC", "PSMODULEPATH"),
     "read by shells at startup or while running: runs commands"),
    (("PYTHON*", "PERL5LIB", "PERL5OPT", "PERLLIB", "PERL5DB", "RUBYOPT", "RUBYLIB",
      "RUBYSHELL", "GEM_HOME", "GEM_PATH", "BUNDLE_GEMFILE", "NODE_OPTIONS", "NODE_PATH",
      "NODE_REPL_EXTERNAL_MODULE", "NPM_CONFIG_*", "LUA_INIT*", "LUA_PATH*", "LUA_CPATH*",
      "PHPRC", "PHP_INI_SCAN_DIR", "DOTNET_STARTUP_HOOKS", "CORECLR_*", "COR_*",
      "OPENSSL_CONF", "OPENSSL_ENGINES", "OPENSSL_MODULES", "GOFLAGS", "GOTOOLCHAIN"),
     "read by an interpreter or runtime: loads code or options into it"),
    (("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_OPTS", "JAVA_HOME",
      "CLASSPATH", "MAVEN_OPTS", "GRADLE_OPTS"),
     "read by the JVM or its launchers: loads agents and classes"),
    (("GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSH_VARIANT", "GIT_EXEC_PATH", "GIT_ASKPASS",
      "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_PAGER", "GIT_EXTERNAL_DIFF",
      "GIT_PROXY_COMMAND", "GIT_TEMPLATE_DIR", "GIT_CONFIG*", "GIT_DIR", "GIT_WORK_TREE",
      "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
      "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_ALLOW_PROTOCOL", "GIT_PROTOCOL_FROM_USER",
      "GIT_TRACE*"),
     "read by git: runs commands or changes which repository and configuration it uses"),
    (("SSH_ASKPASS", "SSH_ASKPASS_REQUIRE", "SSH_AUTH_SOCK", "SUDO_ASKPASS", "EDITOR",
      "VISUAL", "SUDO_EDITOR", "PAGER", "MANPAGER", "LESSOPEN", "LESSCLOSE", "BROWSER",
      "SSLKEYLOGFILE"),
     "names a program that others run (or a file they write key material to)"),
    (("GITHUB_*", "RUNNER_*", "ACTIONS_*", "CI", "CI_*", "GITLAB_CI", "GITLAB_FEATURES",
      "GITLAB_USER_*"),
     "owned by the CI runner: changes how the job and its later steps run"),
    (("SECRETSFILE_*", "SOPS_*"),
     "read by secretsfile or sops: changes which keys and configuration they use"),
)


def denied_reason(name: str) -> str | None:
    """Why ``name`` may not be set from a secret, or None when it may (the first group of
    ``DENIED_VARIABLES`` with a matching pattern gives the reason)."""
    exact, starts, prefixes = _index()
    upper = name.upper()
    found = [exact[upper]] if upper in exact else []
    if upper.startswith(starts):
        found += [ranked for prefix, ranked in prefixes if upper.startswith(prefix)]
    return min(found)[1] if found else None


_INDEXED: list[tuple[dict[str, tuple[int, str]], tuple[str, ...],
                     list[tuple[str, tuple[int, str]]]]] = []


def _index() -> tuple[dict[str, tuple[int, str]], tuple[str, ...],
                      list[tuple[str, tuple[int, str]]]]:
    """``DENIED_VARIABLES`` as (exact name -> (group, reason), every prefix, (prefix, (group,
    reason))), built on first use: ``exec-env`` asks about every key of a file (issue 14)."""
    if not _INDEXED:
        exact: dict[str, tuple[int, str]] = {}
        prefixes: list[tuple[str, tuple[int, str]]] = []
        for rank, (patterns, reason) in enumerate(DENIED_VARIABLES):
            for pattern in patterns:
                if pattern.endswith("*"):
                    prefixes.append((pattern[:-1], (rank, reason)))
                else:
                    exact.setdefault(pattern, (rank, reason))
        _INDEXED.append((exact, tuple(prefix for prefix, _ in prefixes), prefixes))
    return _INDEXED[0]


def _plainly_valid(name: str) -> bool:
    """A shortcut that accepts only names the one rule (``secrets.naming.is_variable_name``:
    ``[A-Za-z_][A-Za-z0-9_]*``) accepts, so that ``exec-env`` need not import ``secrets/``
    (dataclasses, regexes) for the names that are fine; every other name goes to the rule."""
    return name.isascii() and name.isidentifier()


class DeniedVariableError(UsageError):
    """A secret would set a variable on the deny-list (exit 2)."""


def check_variables(variables: Mapping[str, str], origins: Mapping[str, str],
                    allow: Collection[str] = ()) -> None:
    """Refuse names that are no variable name (``X\\nLD_PRELOAD``, ``bad name``: never
    allowed), names on the deny-list (unless in ``allow``) and values no environment can
    hold; ``origins`` says where each variable came from (``secret 'db' (key 'user')``)."""
    for var in variables:
        if not _plainly_valid(var):  # the rule and its message: secrets.variables
            from secretsfile.secrets.variables import check_variable_name

            check_variable_name(var, origins.get(var, "the command line"))
    allowed = {name.upper() for name in allow}
    denied = [(var, reason) for var in variables
              if var.upper() not in allowed and (reason := denied_reason(var)) is not None]
    if denied:
        listed = ", ".join(f"{var} (from {origins.get(var, 'the command line')}: {reason})"
                           for var, reason in denied)
        flags = " ".join(f"--allow {var}" for var, _ in denied)
        raise DeniedVariableError(
            f"refusing to set {listed}",
            hint=f"rename it or leave it out with --exclude; if deliberate: {flags}")
    for var, value in variables.items():
        if "\0" in value:
            raise UsageError(f"{var} (from {origins.get(var, 'the command line')}) holds a NUL "
                             "character, which no environment variable can hold",
                             hint="store it encoded (base64), or leave it out with --exclude")


class EnvironmentSecrets(Protocol):
    """What the loader's ``Secrets`` offers (ops does not import the loader)."""

    @property
    def notes(self) -> tuple[str, ...]: ...
    def __getitem__(self, name: str) -> Any: ...
    def variables(self, only: Iterable[str] | None = None,
                  exclude: Iterable[str] | None = None) -> dict[str, Variable]: ...


def export_variables(secrets: EnvironmentSecrets, only: Iterable[str] | None = None,
                     allow: Collection[str] = (), exclude: Iterable[str] | None = None
                     ) -> dict[str, str]:
    """The variables ``only`` / ``exclude`` select (secret names, variable names, globs),
    checked by ``checked_values``."""
    return checked_values(secrets.variables(only, exclude), allow)


def checked_values(chosen: Mapping[str, Variable], allow: Collection[str] = ()
                   ) -> dict[str, str]:
    """name -> value: names checked against the deny-list before any value is read."""
    origins = {var: variable.origin for var, variable in chosen.items()}
    check_variables(dict.fromkeys(chosen, ""), origins, allow)
    variables = {var: variable.value.reveal() for var, variable in chosen.items()}
    check_variables(variables, origins, allow)
    return variables


# Every variable whose name starts with one of these holds key material or says where to find
# it (SECRETSFILE_AGE_KEY, SECRETSFILE_AGE_KEY_<ENV>, SECRETSFILE_AGE_KEY_FILE, SOPS_AGE_KEY,
# SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD, SOPS_AGE_SSH_PRIVATE_KEY_FILE, SECRETSFILE_FERNET_KEY
# [_FILE]). A prefix, not a list with a '_FILE' exception: the environment 'x-file' has the key
# variable SECRETSFILE_AGE_KEY_X_FILE, which no suffix rule can tell from a path variable.
# Each key source lists its own (KeySource.key_variables); a new backend adds its variables there.
# ``KEY_VARIABLE_PREFIXES``: read on first use (module ``__getattr__``), as the registry
# imports every backend to answer.


def __getattr__(name: str) -> Any:
    if name == "KEY_VARIABLE_PREFIXES":
        from secretsfile.keysources import registry

        return registry.key_variable_prefixes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    KEY_VARIABLE_PREFIXES: tuple[str, ...]


def is_key_variable(name: str) -> bool:
    """True for variables a child process must not inherit: key text, key files, key
    commands. A child gets values, never the keys that open every other value."""
    from secretsfile.keysources import registry

    return registry.is_key_variable(name)
