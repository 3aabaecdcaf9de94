"""Regex fragments and allowlists shared by the built-in rules.

Everything here is data (strings and Allowlist values). Rule regexes are Python `re` syntax;
they are written to run in linear time: no nested unbounded quantifiers, and a literal
prefix (also listed as a keyword) wherever the format has one.
"""

from __future__ import annotations

from secretsfile.scanner.model import Allowlist

# Token boundaries for base62/base64url secrets: not glued to a longer identifier.
START = r"(?<![A-Za-z0-9_-])"
END = r"(?![A-Za-z0-9_-])"
END_B64 = r"(?![A-Za-z0-9+/=_-])"

# The glue between a name that mentions the vendor and the value assigned to it, in every
# syntax the scanner knows: `x = v`, `x: v`, `x := v`, `x ::= v`, `x ?= v`, `x => v`,
# `$x .= v`, `"x": "v"`, `x=v` in .env/INI, `setProperty("X", "v")` and `<x>v</x>`.
# The name may continue for up to 30 identifier characters after the vendor word.
ASSIGN = (
    r"""[\w.-]{0,30}?(?:[ \t]+string)?"""
    r"""(?:['"`]?\]?[ \t]{0,24}(?::{1,3}=|\?=|=>|\.=|={1,3}|:)|['"`][ \t]{0,4},|>)"""
    r"""[\s'"`]{0,24}"""
)

# Files where an unquoted right-hand side is a variable, not a literal.
NOT_PROGRAM_SOURCE = (
    r"^(?!.*\.(?:py|pyi|pyx|js|jsx|mjs|cjs|ts|tsx|mts|cts|go|java|kt|kts|scala|groovy|gradle|rb|php|c|h|cc"
    r"|cpp|cxx|hpp|hh|cs|fs|vb|rs|swift|m|mm|dart|lua|pl|pm|r|jl|ex|exs|erl|hrl|hs|clj|cljs|elm|vue|svelte"
    r"|ipynb|sql|html|htm|css|scss|less|md|rst|adoc)$)"
)

# Masked or obviously fake values: xxxxxx, ******, ######.
MASKED = Allowlist(
    regexes=(r"(?i:x{6,})", r"\*{3,}", r"#{4,}", r"(?i:\.\.\.|\[redacted\]|<[a-z _-]+>)"),
    description="masked or placeholder characters",
)

# Long runs of one character never occur in random tokens of the lengths we match.
RUNS = Allowlist(regexes=(r"(.)\1{7,}",), description="long runs of one character")

# Documentation values (AWS uses ...EXAMPLE..., many vendors use 'example', 'your...').
DOCS = Allowlist(
    stopwords=("example", "placeholder", "your_", "your-", "dummy", "sample", "replace"),
    description="documentation example values",
)

# Sequential filler that people paste into docs and tests.
SEQUENTIAL = Allowlist(
    regexes=(r"(?i:abcdefgh|bcdefghi|qrstuvwx|0123456789)",),
    description="sequential filler",
)

STANDARD = (MASKED, RUNS, DOCS, SEQUENTIAL)
