"""Non-git sources of text to scan: named files, a plain directory walk, stdin.

Git sources (the working tree listing, staged changes, history) live in ``secretsfile.git``;
both produce the same things: ``(absolute path, display path)`` pairs for whole files and
``Fragment`` values for diff pieces. This module also decides what is not worth scanning:
binary files, files over the size limit, minified bundles, lockfiles, media.
"""

from __future__ import annotations

import codecs
import enum
import os
import re
from collections.abc import Iterator, Sequence

from secretsfile._paths import is_within, normal_path
from secretsfile.core.record import Record
from secretsfile.scanner.lazy_regex import LazyRegex

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up)
if TYPE_CHECKING:
    from pathlib import Path

    from secretsfile._fileio import StrPath

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "FileLimits",
    "Skip",
    "classify",
    "display_path",
    "read_limited",
    "walk",
]

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024

#: Never scanned: lockfiles (integrity hashes everywhere, no credentials), our baselines.
DEFAULT_EXCLUDED_NAMES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lockb",
        "deno.lock",
        "poetry.lock",
        "Pipfile.lock",
        "uv.lock",
        "pdm.lock",
        "Cargo.lock",
        "go.sum",
        "composer.lock",
        "Gemfile.lock",
        "flake.lock",
        "gradle.lockfile",
        "packages.lock.json",
        "Podfile.lock",
        "pubspec.lock",
        "mix.lock",
        ".secretsfile-baseline.json",
        ".secrets.baseline",
    }
)

#: Skipped by extension without reading: media, archives, compiled code, fonts.
BINARY_SUFFIXES = frozenset(
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".bmp",
        ".ico",
        ".icns",
        ".webp",
        ".tif",
        ".tiff",
        ".psd",
        ".svgz",
        ".mp3",
        ".mp4",
        ".m4a",
        ".mov",
        ".avi",
        ".mkv",
        ".webm",
        ".wav",
        ".flac",
        ".ogg",
        ".pdf",
        ".zip",
        ".gz",
        ".tgz",
        ".bz2",
        ".xz",
        ".zst",
        ".7z",
        ".rar",
        ".tar",
        ".jar",
        ".war",
        ".ear",
        ".whl",
        ".egg",
        ".so",
        ".dll",
        ".dylib",
        ".exe",
        ".o",
        ".a",
        ".lib",
        ".obj",
        ".class",
        ".pyc",
        ".pyo",
        ".pyd",
        ".wasm",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".db",
        ".sqlite",
        ".sqlite3",
        ".bin",
        ".dat",
        ".iso",
        ".dmg",
        ".deb",
        ".rpm",
        ".apk",
        ".ipa",
        ".parquet",
        ".npy",
        ".npz",
        ".pkl",
        ".pt",
        ".onnx",
        ".h5",
    ]
)

_MINIFIABLE = (".js", ".mjs", ".cjs", ".css", ".map", ".html", ".htm", ".svg")
_MIN_NAME = LazyRegex(r"[.-]min\.[a-z]+$|\.map$")


class Skip(enum.Enum):
    """Why a file was not scanned (reported in the summary, never silently)."""

    EXCLUDED = "excluded"
    BINARY = "binary"
    TOO_LARGE = "too large"
    MINIFIED = "minified"
    UNREADABLE = "unreadable"


class FileLimits(Record, frozen=True):
    """Which files are skipped; all configurable (``scan:`` in .secretsfile.yaml)."""

    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes; 0 = no limit
    skip_binary: bool = True
    skip_minified: bool = True
    default_excludes: bool = True  # lockfiles and media, see DEFAULT_EXCLUDED_NAMES
    exclude_globs: tuple[str, ...] = ()  # gitignore-like globs on the display path

    def excluded(self, display: str) -> bool:
        name = display.rsplit("/", 1)[-1]
        if self.default_excludes:
            if name in DEFAULT_EXCLUDED_NAMES:
                return True
            dot = name.rfind(".")
            if self.skip_binary and dot > 0 and name[dot:].lower() in BINARY_SUFFIXES:
                return True
        return (
            bool(self.exclude_globs)
            and _glob_matcher(self.exclude_globs).search(display) is not None
        )


def classify(data: bytes, display: str, limits: FileLimits) -> Skip | None:
    """Why ``data`` (a file's content) should not be scanned, or None to scan it."""
    if limits.skip_binary and _looks_binary(data[:_HEAD]):
        return Skip.BINARY
    if limits.skip_minified and _looks_minified(data, display):
        return Skip.MINIFIED
    return None


_HEAD = 8192  # bytes looked at, as git does


def _looks_binary(head: bytes) -> bool:
    """A NUL in the head, unless the head is UTF-8 with at most one NUL per KiB (one
    at least): a stray NUL in a text file no longer hides its secrets (gitleaks and
    detect-secrets scan it), while real binaries stay skipped: compressed data, images,
    bytecode and native code are not UTF-8, and tables, archives and databases are full
    of NULs. Measured on 58,835 files with a NUL in their head (.gz .pyc .png .mo .so .jar
    .ttf .wav .mat .npz ... of /usr and site-packages): 4 are scanned, three 4-byte test
    files and the mostly-text /usr/share/mime/treemagic."""
    if b"\0" not in head:
        return False
    if head.count(b"\0") > 1 + len(head) // 1024:
        return True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, False)  # a cut tail is fine
    except UnicodeDecodeError:
        return True
    return False


def _looks_minified(data: bytes, display: str) -> bool:
    lower = display.lower()
    if _MIN_NAME.search(lower):
        return True
    if not lower.endswith(_MINIFIABLE) or len(data) < 4096:
        return False
    # Minified bundles: a few very long lines. Lines end at \n, \r or \r\n; \r is
    # counted only when \n alone says minified (more line ends can only say no).
    ends = data.count(b"\n")
    if len(data) / (ends + 1) <= 1000:
        return False
    ends += data.count(b"\r") - data.count(b"\r\n")
    return len(data) / (ends + 1) > 1000


def read_limited(path: StrPath, limits: FileLimits) -> bytes | Skip:
    """The file's bytes, or why it was skipped (size checked before reading)."""
    try:
        if limits.max_file_size:
            size = os.stat(path).st_size
            if size > limits.max_file_size:
                return Skip.TOO_LARGE
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return Skip.UNREADABLE


def display_path(path: StrPath, root: StrPath) -> str:
    """The path as reported and fingerprinted: relative to ``root``, '/'-separated.

    ``path.resolve().relative_to(root.resolve()).as_posix()``, else ``path.as_posix()``,
    on os.path: pathlib is not loaded on the hook's path (issue 14)."""
    full, base = os.path.realpath(path), os.path.realpath(root)
    if is_within(full, base):
        return os.path.relpath(full, base)
    return normal_path(os.fspath(path))


_SKIP_DIRS = frozenset({".git", ".hg", ".svn"})


def walk(top: StrPath) -> Iterator[Path]:
    """Every regular file under ``top`` (a plain walk: no .gitignore, no symlinks followed).

    VCS metadata directories are skipped.
    """
    from pathlib import Path  # a walk yields Paths; a hook's scan never walks

    if os.path.isfile(top):
        yield Path(top)
        return
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        base = Path(dirpath)
        for name in sorted(filenames):
            candidate = base / name
            if candidate.is_symlink() or not candidate.is_file():
                continue
            yield candidate


_GLOB_CACHE: dict[tuple[str, ...], re.Pattern[str]] = {}


def _glob_matcher(globs: Sequence[str]) -> re.Pattern[str]:
    key = tuple(globs)
    matcher = _GLOB_CACHE.get(key)
    if matcher is None:
        matcher = re.compile("|".join(f"(?:{glob_to_regex(g)})" for g in globs))
        _GLOB_CACHE[key] = matcher
    return matcher


def glob_to_regex(glob: str) -> str:
    """A gitignore-like glob as a regex on a '/'-separated relative path.

    ``*`` stays within a path component, ``**`` crosses them, ``?`` is one character; a glob
    without a '/' matches the name at any depth; a trailing '/' means the directory and
    everything below it.
    """
    anchored = "/" in glob.rstrip("/")
    directory = glob.endswith("/")
    body = glob.strip("/")
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if body.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            close = body.find("]", i + 1)
            if close < 0:
                out.append(re.escape(ch))
            else:
                inner = body[i + 1 : close].replace("\\", "\\\\")
                if inner.startswith("!"):
                    inner = "^" + inner[1:]
                out.append(f"[{inner}]")
                i = close
        else:
            out.append(re.escape(ch))
        i += 1
    prefix = "^" if anchored else "(?:^|/)"
    suffix = "(?:/.*)?$" if not directory else "/.*$"
    return prefix + "".join(out) + suffix
