"""``check-encrypted``: every file the policy says must be encrypted, judged, and the report.

No key is needed and no value is ever reported: only paths and key paths. The CLI prints
what ``CheckReport`` says; git is reached through the ``GitReader`` it hands in.
"""

from __future__ import annotations

import os

from secretsfile._paths import normal_path
from secretsfile.core.record import Record
from secretsfile.errors import InputNotFoundError, UsageError
from secretsfile.ops.guard_policy import Policy, load_policy

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up, issue 14)
if TYPE_CHECKING:  # only annotations: these modules stay off the hook path
    from collections.abc import Sequence
    from typing import Any

    from secretsfile._fileio import StrPath
    from secretsfile.config.project import GuardSources
    from secretsfile.ops.git_reader import GitReader
    from secretsfile.ops.guard import GuardResult

__all__ = ["CheckReport", "check_encrypted"]


class CheckReport(Record, frozen=True):
    results: list[GuardResult]
    policy: Policy

    @property
    def failed(self) -> list[GuardResult]:
        return [r for r in self.results if not r.ok]

    def as_json(self) -> dict[str, Any]:
        files = [{"path": r.path, "ok": r.ok, "encrypted": r.encrypted,
                  "plaintext": list(r.plaintext), "problem": r.problem}
                 for r in self.results]  # fmt: skip
        return {"files": files, "failed": len(self.failed), "policy": self.policy.origin}

    def lines(self) -> list[str]:
        """One line per problem: ``path: message``."""
        return [f"{r.path}: {message}" for r in self.failed for message in r.messages()]

    def summary(self) -> str:
        if not self.results:
            return f"secretsfile: no file here must be encrypted (policy: {self.policy.origin})"
        failed = len(self.failed)
        if not failed:
            return f"secretsfile: {len(self.results)} file(s) checked, all encrypted"
        # How to allow a plaintext file, when a project config is what requires it.
        hint = "" if self.policy.origin == "default" else (
            ", or list them under check_encrypted.exclude_paths in .secretsfile.yaml")  # fmt: skip
        return (f"secretsfile: {failed} of {len(self.results)} file(s) that must be encrypted "
                f"are not (encrypt them with `secretsfile encrypt -i FILE`{hint})")  # fmt: skip


def check_encrypted(
    paths: Sequence[str], git: GitReader, sources: GuardSources, *, cwd: StrPath | None = None,
    staged: bool = False,
) -> CheckReport:
    """Guard results for every file the policy says must be encrypted.

    ``paths`` given: those files (others are ignored: pre-commit passes every staged file).
    ``staged``: the staged content (the index) of staged files. Neither: every file of the
    repository (or directory tree) plus the configured environment files. Paths are strs
    on ``os.path`` (pathlib stays unloaded on the hook's path, issue 14).
    """
    here = os.path.realpath(os.getcwd() if cwd is None else cwd)
    repo = git.repo_root(here)
    policy, root = load_policy(sources, here, repo)
    if staged:
        if repo is None:
            raise UsageError("--staged needs a git repository", path=here)
        return CheckReport(_staged(paths, here, repo, policy, git), policy)
    if paths:
        return CheckReport(_named(paths, here, root, policy), policy)
    from secretsfile.ops.guard import check_file
    from secretsfile.scanner.sources import display_path, walk

    candidates = ([os.path.join(repo, n) for n in git.list_files(repo)] if repo
                  else [os.fspath(p) for p in walk(root)])  # fmt: skip
    results: list[GuardResult] = []
    seen: set[str] = set()
    for path in [*candidates, *policy.required_files()]:
        resolved = os.path.realpath(path)
        if resolved in seen or not os.path.isfile(path) or not policy.requires(path):
            continue
        seen.add(resolved)
        results.append(check_file(path, display_path(path, root)))
    return CheckReport(results, policy)


def _named(paths: Sequence[str], here: str, root: StrPath, policy: Policy) -> list[GuardResult]:
    """The named files the policy requires (the guard and the display rule are imported
    for the first of them: a commit with none loads neither)."""
    results: list[GuardResult] = []
    for raw in paths:
        path = os.path.join(here, normal_path(raw))  # as Path(here) / raw: 'a/' is 'a'
        if policy.requires(path):
            if not os.path.exists(path):
                raise InputNotFoundError("no such file", path=raw)
            from secretsfile.ops.guard import check_file
            from secretsfile.scanner.sources import display_path

            results.append(check_file(path, display_path(path, root)))
    return results


def _staged(
    paths: Sequence[str], here: str, repo: str, policy: Policy, git: GitReader
) -> list[GuardResult]:
    names = git.staged_paths(repo)
    if paths:
        from secretsfile.scanner.sources import display_path

        wanted = {display_path(os.path.join(here, p), repo) for p in paths}
        names = [n for n in names if n in wanted]
    names = [n for n in names if policy.requires(os.path.join(repo, n))]
    if not names:
        return []
    from secretsfile.ops.guard import GuardResult, check_bytes

    blobs = git.staged_blobs(repo, names)
    # None: no file at that path in the index (a submodule): unchecked is not passed
    return [check_bytes(data, name) if data is not None
            else GuardResult(name, False, problem="not checked (no file in the index)")
            for name, data in blobs.items()]  # fmt: skip
