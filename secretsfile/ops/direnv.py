"""``direnv-hook``: the ``use_secretsfile`` function for ``.envrc`` and the files it watches.

The function loads an environment through ``secretsfile ci export --format dotenv`` (the
variables ``run`` gives a child: same names, same deny-list, key variables never exported)
and reads that text with ``set -a`` in the shell direnv runs: every value is single-quoted
(``exporting.dotenv_quote``), so the shell takes it literally and nothing in a value runs.
The text stays in a shell variable (no temporary file, nothing printed). No printing here:
the CLI prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from secretsfile.config.project import ProjectConfig

# bash (direnv evaluates .envrc with bash); `${a[@]+"${a[@]}"}` keeps bash < 4.4 quiet under
# `set -u`. allexport is restored as found. `--files` is quiet: an error (an unknown
# environment, a broken config) is the export's to print, once. Names start with __sf_ to
# stay out of the way.
USE_FUNCTION = r'''# secretsfile direnv hook; in .envrc: use secretsfile [ENV] [OPTIONS]
use_secretsfile() {
  local __sf_env="${1:-}" __sf_out __sf_file __sf_allexport=0
  local -a __sf_opts=()
  if [[ $# -gt 0 ]]; then shift; fi
  if [[ -n $__sf_env ]]; then __sf_opts=(--env "$__sf_env"); fi
  while IFS= read -r -d '' __sf_file; do
    watch_file "$__sf_file"
  done < <(secretsfile direnv-hook --files ${__sf_opts[@]+"${__sf_opts[@]}"} 2>/dev/null)
  if ! __sf_out="$(secretsfile ci export --format dotenv \
      ${__sf_opts[@]+"${__sf_opts[@]}"} "$@")"; then
    log_error "secretsfile: could not load ${__sf_env:-the default environment}"
    return 1
  fi
  if [[ $- == *a* ]]; then __sf_allexport=1; fi
  set -a
  eval "$__sf_out"
  if [[ $__sf_allexport == 0 ]]; then set +a; fi
  log_status "secretsfile: loaded ${__sf_env:-the default environment}"
}
'''


def hook_text() -> str:
    """The bash text ``secretsfile direnv-hook`` prints (no values: it runs secretsfile)."""
    return USE_FUNCTION


def watched_files(config: ProjectConfig, env: str | None) -> list[Path]:
    """What direnv should watch for ``env``: the project config, the environment's encrypted
    file and this user's private file for it (watched even while missing: creating one
    reloads)."""
    environment = config.choose(env)
    files = [config.path] if config.path is not None else []
    files += [config.env_path(environment), config.private_path(environment)]
    return [Path(file) for file in files]
