"""One credential scan, end to end: configuration, sources, engine, baseline. No printing.

This is what ``secretsfile scan`` calls. It picks the sources (the git working tree,
staged changes, history, a plain directory walk or stdin), loads the configuration
(.secretsfile.yaml's ``scan:`` section, or ``--config`` FILE.yaml / gitleaks FILE.toml),
runs the scanner and applies the baseline. Git is reached only through the ``GitReader``
the caller hands in. The root that paths are reported against is found once per run.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext

from secretsfile._paths import normal_path
from secretsfile.core.record import replace
from secretsfile.errors import InputNotFoundError, UsageError
from secretsfile.scanner.baseline import BASELINE_NAME, Baseline, load_baseline, write_baseline
from secretsfile.scanner.config import ScanConfig, parse_scan_section
from secretsfile.scanner.engine import Fragment, Scanner
from secretsfile.scanner.model import Finding, Rule
from secretsfile.scanner.report import Report
from secretsfile.scanner.runner import ScanStats, scan_files, scan_fragments
from secretsfile.scanner.sources import FileLimits, Skip, classify, display_path, walk

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up)
if TYPE_CHECKING:  # only annotations: the module stays off the hook path
    from secretsfile._fileio import StrPath
    from secretsfile.config.project import ProjectConfig
    from secretsfile.ops.git_reader import AddedText, GitReader

    #: What reads sections git called binary again (``diff_fragments``): the text ones.
    Reread = Callable[[list[AddedText]], Sequence[AddedText]]

#: Opens a progress display: (what, total or None) -> a callback taking each unit done.
#: The CLI hands ``cli.progress.progress`` in; ops never draws anything itself.
Done = Callable[[str], None]
Progress = Callable[[str, "int | None"], AbstractContextManager[Done]]
#: A file scan shows progress from this many files (a hook's few files never flash a bar).
PROGRESS_MIN_FILES = 200

__all__ = ["Mode", "Progress", "ScanRequest", "ScanResult", "TextTest", "builtin_rules",
           "diff_fragments", "load_scan_config", "run_scan"]


class Mode(enum.Enum):
    TREE = "tree"  # the working tree: tracked + untracked-not-ignored files (or a walk)
    STAGED = "staged"  # added lines of the staged changes
    SINCE = "since"  # added lines of the commits in REV..HEAD
    HISTORY = "history"  # added lines of every commit reachable from any ref
    NO_GIT = "no-git"  # a plain directory walk

    @classmethod
    def chosen(cls, *, staged: bool, since: bool, history: bool, no_git: bool) -> Mode:
        """The mode the command-line flags name; two of them is a usage error."""
        flags = ((cls.STAGED, staged), (cls.SINCE, since), (cls.HISTORY, history),
                 (cls.NO_GIT, no_git))  # fmt: skip
        chosen = [mode for mode, on in flags if on]
        if len(chosen) > 1:
            raise UsageError(f"--{chosen[0].value} and --{chosen[1].value} cannot be combined")
        return chosen[0] if chosen else cls.TREE


class ScanRequest:
    """What to scan and how (keywords only; plain class: this module is on the hook's path,
    where each dataclass costs its generated code at import)."""

    __slots__ = ("baseline_file", "config_file", "cwd", "decode", "jobs", "max_file_size",
                 "mode", "paths", "progress", "project", "since", "stdin", "stdin_name",
                 "update_baseline", "use_baseline")  # fmt: skip

    def __init__(
        self, *, paths: tuple[str, ...] = (), mode: Mode = Mode.TREE, since: str | None = None,
        cwd: StrPath | None = None, config_file: StrPath | None = None,
        baseline_file: StrPath | None = None, use_baseline: bool = True,
        update_baseline: bool = False, jobs: int = 0, max_file_size: int | None = None,
        stdin: bytes | None = None, stdin_name: str = "-", project: ProjectConfig | None = None,
        progress: Progress | None = None, decode: bool = False,
    ) -> None:
        self.paths, self.mode, self.since = paths, mode, since  # paths: "-" means stdin
        self.cwd = os.getcwd() if cwd is None else cwd  # paths as str: no pathlib on the hook
        self.config_file, self.baseline_file = config_file, baseline_file
        self.use_baseline, self.update_baseline = use_baseline, update_baseline
        self.jobs, self.max_file_size = jobs, max_file_size
        self.stdin, self.stdin_name = stdin, stdin_name
        self.project = project  # the caller's project config (its scan: section)
        self.progress = progress  # per commit (--since, --history) or per file
        self.decode = decode  # the decoding pass: base64/hex/percent runs (scanner/decode.py)


class ScanResult:
    __slots__ = ("baseline_path", "baseline_written", "baselined", "config_origin", "findings",
                 "root", "stats")  # fmt: skip

    def __init__(self, findings: list[Finding], root: str, stats: ScanStats, *,
                 baseline_path: str | None = None, config_origin: str = "built-in rules"
                 ) -> None:  # fmt: skip
        self.findings = findings  # not in the baseline: what fails the run
        self.root = root
        self.stats = stats
        self.baselined = 0
        self.baseline_path = baseline_path
        self.baseline_written: int | None = None  # number of fingerprints written, if updated
        self.config_origin = config_origin

    def report(self, tool_version: str) -> Report:
        return Report(
            findings=self.findings,
            files_scanned=self.stats.files,
            bytes_scanned=self.stats.bytes,
            skipped=dict(self.stats.skipped),
            baselined=self.baselined,
            tool_version=tool_version,
        )


class LoadedScanConfig:
    __slots__ = ("config", "directory", "origin")

    def __init__(self, config: ScanConfig, origin: str, directory: str | None) -> None:
        self.config = config
        self.origin = origin  # for messages: the file it came from, or "built-in rules"
        self.directory = directory  # the YAML config's directory: the root outside a repository


def builtin_rules() -> tuple[Rule, ...]:
    """The built-in catalog."""
    from secretsfile.scanner.rules import BUILTIN_RULES

    return BUILTIN_RULES


def load_scan_config(config_file: StrPath | None, project: ProjectConfig | None
                     ) -> LoadedScanConfig:
    """The scan configuration: ``config_file``, else the ``scan:`` section of the project
    config the caller looked up."""
    if config_file is None:
        if project is None:
            return LoadedScanConfig(ScanConfig(), "built-in rules", None)
        where = os.path.realpath(project.root_dir) if project.path is not None else None
        if project.path is None or not project.scan:
            return LoadedScanConfig(ScanConfig(), "built-in rules", where)
        section = parse_scan_section(project.scan, str(project.path), project.root_dir)
        return LoadedScanConfig(section, str(project.path), where)
    from pathlib import Path  # --config FILE only: a hook's scan loads no pathlib

    from secretsfile.config.project import read_yaml_mapping

    file = Path(config_file)
    if not file.exists():
        raise InputNotFoundError("config file not found", path=str(file))
    if file.suffix.lower() == ".toml":
        from secretsfile.scanner.gitleaks import load_gitleaks_toml

        return LoadedScanConfig(load_gitleaks_toml(file), str(file), None)
    data = read_yaml_mapping(file)
    section = data.get("scan", data)
    if not isinstance(section, dict):
        raise UsageError("the scan section must be a mapping", path=str(file))
    parsed = parse_scan_section(section, str(file), file.parent)
    return LoadedScanConfig(parsed, str(file), str(file.parent.resolve()))


class _Run:
    """What every source of one run shares: where it runs and how it scans."""

    __slots__ = ("git", "limits", "repo", "request", "root", "scanner")

    def __init__(self, request: ScanRequest, root: str, repo: str | None, scanner: Scanner,
                 limits: FileLimits, git: GitReader) -> None:  # fmt: skip
        self.request, self.scanner, self.limits, self.git = request, scanner, limits, git
        self.root = root  # resolved; reported paths are relative to it
        self.repo = repo  # the git repository, when git is used

    def relative(self, raw: StrPath) -> str:
        return display_path(os.path.join(self.request.cwd, raw), self.root)

    def progress(self, what: str, total: int | None) -> AbstractContextManager[Done]:
        if self.request.progress is None:
            return nullcontext(_ignore)
        return self.request.progress(what, total)


def run_scan(request: ScanRequest, git: GitReader) -> ScanResult:
    """Scan what the request names and apply the baseline; writes it if asked to."""
    cwd = os.path.realpath(request.cwd)
    repo = git.repo_root(cwd) if request.mode is not Mode.NO_GIT else None
    if request.mode in (Mode.STAGED, Mode.SINCE, Mode.HISTORY) and repo is None:
        raise UsageError(
            f"--{request.mode.value} needs a git repository", path=str(cwd), hint="use --no-git"
        )
    loaded = load_scan_config(request.config_file, request.project)
    limits = loaded.config.limits
    if request.max_file_size is not None:
        limits = replace(limits, max_file_size=request.max_file_size)
    rules = loaded.config.build_rules(builtin_rules())
    scanner = Scanner(rules, loaded.config.allowlists, loaded.config.stopwords,
                      decode=request.decode)  # fmt: skip
    run = _Run(request, repo or loaded.directory or cwd, repo, scanner, limits, git)
    findings, stats = _collect(run)
    baseline = request.baseline_file or os.path.join(run.root, BASELINE_NAME)
    baseline_path = normal_path(os.path.join(cwd, baseline))  # as str(Path): the summary shows it
    result = ScanResult(findings, run.root, stats, baseline_path=baseline_path,
                        config_origin=loaded.origin)  # fmt: skip
    _apply_baseline(result, request)
    return result


def _collect(run: _Run) -> tuple[list[Finding], ScanStats]:
    request = run.request
    if request.mode is Mode.STAGED:
        findings, stats = _staged(run)
    elif request.mode in (Mode.SINCE, Mode.HISTORY):
        from secretsfile.ops.scan_history import scan_history

        findings, stats = scan_history(run, request.mode is Mode.HISTORY)
    else:
        items = _files(run)
        shown = len(items) >= PROGRESS_MIN_FILES
        with run.progress("scanning files", len(items)) if shown else nullcontext(_ignore) as done:
            findings, stats = scan_files(run.scanner, items, run.limits, jobs=request.jobs,
                                         done=done)  # fmt: skip
    # stdin is read when named ("-"), except by history scans, or when piped with no paths
    named_stdin = "-" in request.paths and request.mode not in (Mode.SINCE, Mode.HISTORY)
    if named_stdin or (request.stdin is not None and not request.paths):
        data = request.stdin or b""
        fragment = Fragment(request.stdin_name, data.decode("utf-8", "replace"))
        found, more = scan_fragments(run.scanner, [fragment], run.limits)
        findings.extend(found)
        stats.add(more)
    return findings, stats


def diff_fragments(sections: Iterable[AddedText], limits: FileLimits, reread: Reread,
                   source: Callable[[str], Callable[[], str | None]] | None = None
                   ) -> Iterator[Fragment | Skip]:  # fmt: skip
    """Diff sections as fragments; ``source(path)`` loads the whole new file on demand (its
    pragmas on unchanged lines then count). The sections git called binary (attributes,
    or its NUL test on either side) go to ``reread`` at the end, but for paths the limits
    exclude anyway (images): it returns those whose new content passes our text test,
    diffed again as text; the rest are skipped as binary."""
    binary: list[AddedText] = []
    for section in sections:
        if section.binary:
            if limits.excluded(section.path):
                yield Skip.BINARY
            else:
                binary.append(section)
        elif section.lines:
            yield _fragment(section, source)
    if binary:
        text = reread(binary)
        yield from (_fragment(s, source) for s in text if s.lines)
        yield from [Skip.BINARY] * (len(binary) - len(text))


def _fragment(section: AddedText, source: Callable[[str], Callable[[], str | None]] | None
              ) -> Fragment:  # fmt: skip
    return Fragment(section.path, section.text(), tuple(section.numbers), section.commit,
                    source(section.path) if source is not None else None)  # fmt: skip


class TextTest:
    """Our text test on the head of a blob git called binary: ``classify``'s NUL rule
    (picklable: history worker processes get one)."""

    __slots__ = ("limits",)

    def __init__(self, limits: FileLimits) -> None:
        self.limits = limits

    def __call__(self, head: bytes, size: int, path: str) -> bool:
        if self.limits.max_file_size and size > self.limits.max_file_size:
            return False  # skipped like a too large file, before git diffs it whole
        return classify(head, path, self.limits) is not Skip.BINARY


def _staged_source(run: _Run) -> Callable[[str], Callable[[], str | None]]:
    """A loader of a path's staged (index) text, read only when the engine asks."""
    repo = run.repo
    assert repo is not None

    def loader(path: str) -> Callable[[], str | None]:
        def read() -> str | None:
            data = run.git.staged_blobs(repo, [path]).get(path)
            return None if data is None else data.decode("utf-8", "replace")

        return read

    return loader


def _staged(run: _Run) -> tuple[list[Finding], ScanStats]:
    repo = run.repo
    assert repo is not None
    relative = [run.relative(p) for p in run.request.paths if p != "-"]
    staged = run.git.staged_changes(repo, relative)

    def reread(binary: list[AddedText]) -> Sequence[AddedText]:
        return run.git.staged_text(repo, [s.path for s in binary], TextTest(run.limits))

    added = diff_fragments(staged.added, run.limits, reread, _staged_source(run))
    findings, stats = scan_fragments(run.scanner, added, run.limits)
    # A named file without staged changes (pre-commit run --all-files) is scanned whole.
    whole = [(os.path.join(run.root, r), r) for r in relative
             if r not in staged.changed and os.path.isfile(os.path.join(run.root, r))]  # fmt: skip
    found, more = scan_files(run.scanner, whole, run.limits, jobs=run.request.jobs)
    findings.extend(found)
    stats.add(more)
    return findings, stats


def _ignore(_done: str) -> None:
    return None


def _files(run: _Run) -> list[tuple[StrPath, str]]:
    """(file to read, path to report) for the request's paths, or the whole tree."""
    request, root, repo = run.request, run.root, run.repo
    if not request.paths:
        if repo is not None:
            listed = [(os.path.join(root, name), name) for name in run.git.list_files(repo)]
            return [(p, d) for p, d in listed if os.path.isfile(p) and not os.path.islink(p)]
        return [(p, run.relative(p)) for p in walk(request.cwd)]
    items: list[tuple[StrPath, str]] = []
    for raw in request.paths:
        if raw == "-":
            continue
        path = os.path.join(request.cwd, raw)
        if os.path.isfile(path):
            items.append((path, run.relative(path)))
        elif os.path.isdir(path) and repo is not None:
            names = run.git.list_files(repo, [run.relative(path)])
            items.extend((f, n) for n in names if os.path.isfile(f := os.path.join(root, n)))
        elif os.path.isdir(path):
            items.extend((p, run.relative(p)) for p in walk(path))
        else:
            raise InputNotFoundError("no such file or directory", path=raw)
    return items


def _apply_baseline(result: ScanResult, request: ScanRequest) -> None:
    """Drop baselined findings; first rewrite the baseline when asked to."""
    assert result.baseline_path is not None
    findings = result.findings
    baseline = load_baseline(result.baseline_path) if request.use_baseline else Baseline()
    if request.update_baseline:
        full_tree = request.mode is Mode.TREE and not request.paths
        keep = set() if full_tree else set(baseline.fingerprints)
        fingerprints = keep | {f.fingerprint for f in findings}
        write_baseline(result.baseline_path, fingerprints)
        result.baseline_written = len(fingerprints)
        baseline = Baseline(frozenset(fingerprints))
    result.findings = baseline.filter(findings)
    result.baselined = len(findings) - len(result.findings)
