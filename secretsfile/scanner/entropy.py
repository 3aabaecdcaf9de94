"""Shannon entropy of a candidate secret, in bits per character."""

from __future__ import annotations

import math
from collections import Counter


def shannon_entropy(text: str) -> float:
    """H = -sum(p * log2 p) over the character frequencies; 0.0 for the empty string."""
    length = len(text)
    if length == 0:
        return 0.0
    entropy = 0.0
    for count in Counter(text).values():
        p = count / length
        entropy -= p * math.log2(p)
    return entropy
