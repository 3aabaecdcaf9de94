"""One scan or guard run, end to end: config, sources, engine, baseline. No printing.

This is what the CLI calls. It picks the sources (the git working tree, staged changes,
history, a plain directory walk or stdin), loads the configuration (.secretsfile.yaml's
``scan:`` section, or ``--config`` FILE.yaml / gitleaks FILE.toml), runs the engine and
applies the baseline. ``secretsfile.git`` is imported only when a git source is used.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from secretsfile.errors import InputNotFoundError, UsageError
from secretsfile.scanner.baseline import BASELINE_NAME, Baseline, load_baseline, write_baseline
from secretsfile.scanner.config import ScanConfig, parse_scan_section
from secretsfile.scanner.gitleaks import load_gitleaks_toml
from secretsfile.scanner.engine import Fragment, Scanner
from secretsfile.scanner.model import Finding, Rule
from secretsfile.scanner.runner import ScanStats, scan_files, scan_fragments
from secretsfile.scanner.sources import Skip, walk

if TYPE_CHECKING:
    from secretsfile.config.project import ProjectConfig
    from secretsfile.git.diff import AddedLines
    from secretsfile.scanner.plaintext_guard import GuardResult, Policy

__all__ = [
    "Mode",
    "ScanRequest",
    "ScanResult",
    "builtin_rules",
    "check_encrypted",
    "load_scan_config",
    "run_scan",
]


class Mode(enum.Enum):
    TREE = "tree"  # the working tree: tracked + untracked-not-ignored files (or a walk)
    STAGED = "staged"  # added lines of the staged changes
    SINCE = "since"  # added lines of the commits in REV..HEAD
    HISTORY = "history"  # added lines of every commit reachable from any ref
    NO_GIT = "no-git"  # a plain directory walk


@dataclass(frozen=True)
class ScanRequest:
    paths: tuple[str, ...] = ()  # "-" means stdin
    mode: Mode = Mode.TREE
    since: str | None = None
    cwd: Path = field(default_factory=Path.cwd)
    config_file: Path | None = None
    baseline_file: Path | None = None
    use_baseline: bool = True
    update_baseline: bool = False
    jobs: int = 0
    max_file_size: int | None = None
    stdin: bytes | None = None
    stdin_name: str = "-"


@dataclass
class ScanResult:
    findings: list[Finding]  # not in the baseline: what fails the run
    root: Path
    stats: ScanStats
    baselined: int = 0
    baseline_path: Path | None = None
    baseline_written: int | None = None  # number of fingerprints written, if updated
    config_origin: str = "built-in rules"


def builtin_rules() -> tuple[Rule, ...]:
    """The built-in catalog (empty if the catalog module is missing)."""
    try:
        from secretsfile.scanner.rules import BUILTIN_RULES
    except ImportError:  # pragma: no cover - the catalog ships with the package
        return ()
    return BUILTIN_RULES


def _project(cwd: Path) -> ProjectConfig:
    from secretsfile.config.project import load

    return load(start=cwd)  # the same lookup as every command (SECRETSFILE_CONFIG too)


def load_scan_config(cwd: Path, config_file: Path | None) -> tuple[ScanConfig, str]:
    """The scan configuration and where it came from (for messages)."""
    if config_file is not None:
        if not config_file.exists():
            raise InputNotFoundError("config file not found", path=str(config_file))
        if config_file.suffix.lower() == ".toml":
            return load_gitleaks_toml(config_file), str(config_file)
        from secretsfile.config.project import read_yaml_mapping

        data = read_yaml_mapping(config_file)
        section = data.get("scan", data) if "scan" in data else data
        if not isinstance(section, dict):
            raise UsageError("the scan section must be a mapping", path=str(config_file))
        return parse_scan_section(section, str(config_file), config_file.parent), str(config_file)
    project = _project(cwd)
    if project.path is None or not project.scan:
        return ScanConfig(), "built-in rules"
    return parse_scan_section(project.scan, str(project.path), project.root), str(project.path)


def _repo_root(cwd: Path) -> Path | None:
    from secretsfile.git.sources import find_repo_root

    return find_repo_root(cwd)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _files_for_paths(
    request: ScanRequest, root: Path, use_git: bool
) -> tuple[list[tuple[Path, str]], bool]:
    """(file to read, path to report) for the request's paths; and whether stdin was named."""
    items: list[tuple[Path, str]] = []
    wants_stdin = False
    if not request.paths:
        if use_git:
            from secretsfile.git.sources import list_files

            items = [(root / name, name) for name in list_files(root)]
            items = [(p, d) for p, d in items if p.is_file() and not p.is_symlink()]
        else:
            items = [(p, _relative(p, root)) for p in walk(request.cwd)]
        return items, False
    for raw in request.paths:
        if raw == "-":
            wants_stdin = True
            continue
        path = Path(raw)
        if not path.is_absolute():
            path = request.cwd / path
        if path.is_file():
            items.append((path, _relative(path, root)))
        elif path.is_dir():
            if use_git:
                from secretsfile.git.sources import list_files

                names = list_files(root, [_relative(path, root)])
                items.extend((root / n, n) for n in names if (root / n).is_file())
            else:
                items.extend((p, _relative(p, root)) for p in walk(path))
        else:
            raise InputNotFoundError("no such file or directory", path=raw)
    return items, wants_stdin


def _fragments(sections: Iterable[AddedLines]) -> Iterator[Fragment | Skip]:
    for section in sections:
        if section.binary:
            yield Skip.BINARY
        elif section.lines:
            yield Fragment(section.path, section.text(), tuple(section.numbers), section.commit)


def run_scan(request: ScanRequest) -> ScanResult:
    """Scan what the request names and apply the baseline; writes it if asked to."""
    cwd = request.cwd.resolve()
    use_git = request.mode is not Mode.NO_GIT
    repo_root = _repo_root(cwd) if use_git else None
    if request.mode in (Mode.STAGED, Mode.SINCE, Mode.HISTORY) and repo_root is None:
        raise UsageError(
            f"--{request.mode.value} needs a git repository", path=str(cwd), hint="use --no-git"
        )
    if request.mode is Mode.TREE and repo_root is None:
        use_git = False
    config, origin = load_scan_config(cwd, request.config_file)
    if request.max_file_size is not None:
        config = replace(config, limits=replace(config.limits, max_file_size=request.max_file_size))
    root = repo_root or (
        request.config_file.parent.resolve()
        if request.config_file is not None and request.config_file.suffix != ".toml"
        else cwd
    )
    if repo_root is None and request.config_file is None:
        from secretsfile.config.project import find_config

        config_path = find_config(cwd)
        if config_path is not None:
            root = config_path.parent.resolve()
    rules = config.build_rules(builtin_rules())
    scanner = Scanner(rules, config.allowlists, config.stopwords)
    limits = config.limits

    findings: list[Finding] = []
    stats = ScanStats()
    wants_stdin = False
    if request.mode is Mode.STAGED:
        from secretsfile.git.sources import staged_changes

        assert repo_root is not None
        named = [p for p in request.paths if p != "-"]
        wants_stdin = len(named) != len(request.paths)
        relative = [
            _relative(request.cwd / p if not Path(p).is_absolute() else Path(p), root)
            for p in named
        ]
        staged = staged_changes(root, relative)
        found, stats = scan_fragments(scanner, _fragments(staged.added), limits)
        findings.extend(found)
        # A named file without staged changes (pre-commit run --all-files) is scanned whole.
        whole = [
            (root / r, r) for r in relative if r not in staged.changed and (root / r).is_file()
        ]
        found, more = scan_files(scanner, whole, limits, jobs=request.jobs)
        findings.extend(found)
        stats.add(more)
    elif request.mode in (Mode.SINCE, Mode.HISTORY):
        from secretsfile.git.sources import history_added_lines

        assert repo_root is not None
        sections = history_added_lines(
            root, since=request.since, all_refs=request.mode is Mode.HISTORY
        )
        wanted = {_relative(request.cwd / p, root) for p in request.paths if p != "-"}
        if wanted:
            sections = (
                s
                for s in sections
                if any(s.path == w or s.path.startswith(w.rstrip("/") + "/") for w in wanted)
            )
        found, stats = scan_fragments(scanner, _fragments(sections), limits)
        findings.extend(found)
    else:
        items, wants_stdin = _files_for_paths(request, root, use_git)
        found, stats = scan_files(scanner, items, limits, jobs=request.jobs)
        findings.extend(found)
    if wants_stdin or (request.stdin is not None and not request.paths):
        data = request.stdin or b""
        fragment = Fragment(request.stdin_name, data.decode("utf-8", "replace"))
        found, more = scan_fragments(scanner, [fragment], limits)
        findings.extend(found)
        stats.add(more)

    baseline_path = request.baseline_file or (root / BASELINE_NAME)
    if not baseline_path.is_absolute():
        baseline_path = cwd / baseline_path
    result = ScanResult(findings, root, stats, baseline_path=baseline_path, config_origin=origin)
    baseline = load_baseline(baseline_path) if request.use_baseline else Baseline()
    if request.update_baseline:
        full_tree = request.mode is Mode.TREE and not request.paths
        keep = set() if full_tree else set(baseline.fingerprints)
        fingerprints = keep | {f.fingerprint for f in findings}
        write_baseline(baseline_path, fingerprints)
        result.baseline_written = len(fingerprints)
        baseline = Baseline(frozenset(fingerprints))
    new = baseline.filter(findings)
    result.baselined = len(findings) - len(new)
    result.findings = new
    return result


# --- check-encrypted --------------------------------------------------------------------


def load_policy(cwd: Path) -> tuple[Policy, Path]:
    """Which files must be encrypted, from .secretsfile.yaml and/or .sops.yaml (walking up
    from ``cwd``), else the documented defaults; and the project root."""
    from secretsfile.config.project import find_sops_config, load_sops_config
    from secretsfile.scanner.plaintext_guard import build_policy, read_exceptions

    project = _project(cwd)
    sops_path = find_sops_config(cwd)
    environments = [(project.root, env.file) for env in project.environments]
    rules = [(r.source.parent, r.path_regex) for r in project.creation_rules if r.path_regex]
    origin = [str(project.path)] if project.path else []
    already = any(r.source == sops_path for r in project.creation_rules)
    if sops_path is not None and not already:  # both configs' rules count for the guard
        rules += [
            (r.source.parent, r.path_regex) for r in load_sops_config(sops_path) if r.path_regex
        ]
    if sops_path is not None:
        origin.append(str(sops_path))
    root = _repo_root(cwd) or (
        project.root if project.path else (sops_path.parent if sops_path else cwd)
    )
    exceptions = read_exceptions(project.raw, project.path)
    return build_policy(root, environments, rules, origin, exceptions), root


def check_encrypted(
    paths: Sequence[str], *, cwd: Path | None = None, staged: bool = False
) -> tuple[list[GuardResult], Policy]:
    """Guard results for every file the policy says must be encrypted.

    ``paths`` given: those files (others are ignored: pre-commit passes every staged file).
    ``staged``: the staged content (the index) of staged files. Neither: every file of the
    repository (or directory tree) plus the configured environment files.
    """
    from secretsfile.scanner.plaintext_guard import check_bytes, check_file

    here = (cwd or Path.cwd()).resolve()
    policy, root = load_policy(here)
    results: list[GuardResult] = []
    if staged:
        from secretsfile.git.sources import staged_blobs, staged_paths

        repo = _repo_root(here)
        if repo is None:
            raise UsageError("--staged needs a git repository", path=str(here))
        names = staged_paths(repo)
        if paths:
            wanted = {_relative(here / p, repo) for p in paths}
            names = [n for n in names if n in wanted]
        names = [n for n in names if policy.requires(repo / n)]
        for name, data in staged_blobs(repo, names).items():
            if data is not None:
                results.append(check_bytes(data, name))
        return results, policy
    if paths:
        for raw in paths:
            path = here / raw
            if policy.requires(path):
                if not path.exists():
                    raise InputNotFoundError("no such file", path=raw)
                results.append(check_file(path, _relative(path, root)))
        return results, policy
    repo = _repo_root(here)
    candidates: list[Path]
    if repo is not None:
        from secretsfile.git.sources import list_files

        candidates = [repo / n for n in list_files(repo)]
    else:
        candidates = list(walk(root))
    seen: set[Path] = set()
    for path in [*candidates, *policy.required_files()]:
        resolved = path.resolve()
        if resolved in seen or not path.is_file() or not policy.requires(path):
            continue
        seen.add(resolved)
        results.append(check_file(path, _relative(path, root)))
    return results, policy
