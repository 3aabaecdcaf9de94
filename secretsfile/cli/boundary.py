"""The one place errors become exit codes and one-line messages (imports no typer).

Never a traceback, never a value: a SecretsfileError renders its diagnostics(); anything
else is reported by type only (its message could contain a secret).
"""

from __future__ import annotations

import os
import sys

from secretsfile.cli.exit_codes import ExitCode, exit_code_for
from secretsfile.errors import SecretsfileError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def report(message: str) -> None:
    """A human message on stderr (data goes to stdout)."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def write_stdout(text: str) -> None:
    """Data on stdout, exactly as given: bytes that are not UTF-8 (a binary file's data,
    carried in ``text`` as surrogate escapes, as ``_fileio.read_text`` reads them) go out as
    the original bytes."""
    if not text:
        return  # nothing to write (a clean scan's report): also fine with stdout closed
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        raise UsageError("stdout is closed: nothing was written",
                         hint="run it with stdout open, or write to a file with --output FILE")
    buffer = getattr(sys.stdout, "buffer", None)
    try:
        if buffer is None:  # a replaced stdout (tests, notebooks): text only
            sys.stdout.write(text)
        else:
            sys.stdout.flush()
            buffer.write(text.encode("utf-8", "surrogateescape"))
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader left (`| head`): not an error
    except OSError as error:  # a full disk, a closed terminal: say so in one line
        raise UsageError(f"could not write to stdout: {error.strerror or type(error).__name__}",
                         hint="write to a file with --output FILE") from None


def verdict_output(report: Callable[[], None], summary: str | None) -> None:
    """A scanner command's output: the report (stdout), then the summary (stderr; None:
    ``--no-summary``). A reader that leaves either stream (`scan | head`, `scan 2>&1 |
    true`) ends that output, not the command: its exit code (findings or not) stands. The
    stream then goes to /dev/null, so what is still buffered and the exit's flush go
    nowhere quietly."""
    from secretsfile.cli.quiet import say

    def summarise() -> None:
        if summary is not None:
            say(summary)

    for write, stream in ((report, sys.stdout), (summarise, sys.stderr)):
        try:
            write()
        except BrokenPipeError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, stream.fileno())
            finally:
                os.close(devnull)


def report_frames(error: BaseException) -> None:
    """Where it failed: file, line and function of each frame. No message, no locals."""
    import traceback  # only on this path: it pulls linecache, tokenize, textwrap

    for frame in traceback.extract_tb(error.__traceback__):
        report(f"  {frame.filename}:{frame.lineno} in {frame.name}")


def guarded(call: Callable[[], int]) -> int:
    """Run ``call`` and map whatever it raises to an exit code and one line on stderr."""
    try:
        return call()
    except SecretsfileError as error:
        report(f"error: {error.diagnostics()}")
        return int(exit_code_for(error))
    except KeyboardInterrupt:
        report("interrupted")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except Exception as error:
        report(
            f"error: unexpected {type(error).__name__}; this is a bug in secretsfile, "
            "please report it (rerun with SECRETSFILE_DEBUG=1 for a traceback without values)"
        )
        if os.environ.get("SECRETSFILE_DEBUG"):
            report_frames(error)
        return int(ExitCode.UNEXPECTED)


def install_warning_handler() -> None:
    """Library warnings (e.g. a key file readable by others) become 'warning:' lines."""
    from secretsfile.errors import set_warning_sink

    set_warning_sink(lambda message: report(f"warning: {message}"))
