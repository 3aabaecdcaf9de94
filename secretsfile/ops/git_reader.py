"""What the ops layer needs from git, as a protocol: the CLI hands in ``secretsfile.git.sources``.

ops never imports ``secretsfile.git`` (DESIGN: ops -> config, stores, keysources, core,
and the scanner); the command that runs a scan passes the module, as ``secret list``
passes git's history reader. Tests can pass a stub.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from secretsfile._fileio import StrPath

__all__ = ["AddedText", "GitReader", "StagedText", "TextTest"]

#: (the first bytes of a blob git called binary, its path) -> is it text to us
TextTest = Callable[[bytes, int, str], bool]  # (head, whole size, path)


class AddedText(Protocol):
    """The lines one diff adds to one file (``secretsfile.git.diff.AddedLines``)."""

    @property
    def path(self) -> str: ...
    @property
    def commit(self) -> str | None: ...
    @property
    def numbers(self) -> list[int]: ...
    @property
    def binary(self) -> bool: ...
    @property
    def lines(self) -> list[str]: ...
    def text(self) -> str: ...


class StagedText(Protocol):
    """``secretsfile.git.sources.StagedChanges``."""

    @property
    def added(self) -> Sequence[AddedText]: ...
    @property
    def changed(self) -> frozenset[str]: ...


class GitReader(Protocol):
    """The functions of ``secretsfile.git.sources`` a scan or a guard run uses."""

    def repo_root(self, start: StrPath) -> str | None: ...  # a scan's: no pathlib on the hook
    def find_repo_root(self, start: StrPath) -> Path | None: ...
    def list_files(self, root: StrPath, paths: Sequence[str] = ()) -> list[str]: ...
    def staged_changes(self, root: StrPath, paths: Sequence[str] = ()) -> StagedText: ...
    def staged_paths(self, root: StrPath) -> list[str]: ...
    def staged_blobs(self, root: StrPath, paths: Sequence[str]) -> dict[str, bytes | None]:
        """Each path's staged content; None: no file at that path in the index. An
        unmerged path or an unreadable object raises (never "nothing staged")."""
    def staged_text(self, root: StrPath, paths: Sequence[str], is_text: TextTest
                    ) -> Sequence[AddedText]:  # fmt: skip
        """Staged files git called binary, diffed again as text where ``is_text``."""
    def history_commits(
        self, root: StrPath, *, since: str | None = None, all_refs: bool = False
    ) -> list[str]: ...
    def history_added_lines(
        self, root: StrPath, *, since: str | None = None, all_refs: bool = False
    ) -> Iterator[AddedText]: ...
    def history_added_lines_for(self, root: StrPath, commits: Sequence[str]
                                ) -> Iterator[AddedText]: ...
    def history_text(self, root: StrPath, changes: Sequence[tuple[str, str]],
                     is_text: TextTest) -> Sequence[AddedText]:  # fmt: skip
        """(commit, path) sections git called binary, diffed again as text where
        ``is_text``."""
