"""The draw itself: a lottery over compositions and a seed give a panel anyone can recompute.

The random stream is SHA-256 in counter mode over the seed, so the procedure is specified
to the bit and can be replayed in any language: u_k = SHA-256(seed || k as 8 bytes, big
endian) read as an integer and divided by 2**256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal


class Stream:
    """Uniform numbers in [0, 1) derived from a seed, one SHA-256 block each."""

    def __init__(self, seed: bytes) -> None:
        self.seed = seed
        self.counter = 0

    def uniform(self) -> Decimal:
        """The next number, exact (a Decimal with 78 digits, no float rounding)."""
        block = hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
        self.counter += 1
        return Decimal(int.from_bytes(block, "big")) / Decimal(2**256)

    def below(self, n: int) -> int:
        """A whole number in [0, n), without modulo bias (rejection sampling)."""
        bound = (2**256 // n) * n
        while True:
            block = hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
            self.counter += 1
            value = int.from_bytes(block, "big")
            if value < bound:
                return value % n


def pick_composition(weights: Sequence[str], stream: Stream) -> int:
    """Index of the composition drawn, with the published decimal weights."""
    exact = [Decimal(w) for w in weights]
    target = stream.uniform() * sum(exact)
    running = Decimal(0)
    for index, weight in enumerate(exact):
        running += weight
        if target < running:
            return index
    return len(exact) - 1


def pick_members(members: Sequence[str], count: int, stream: Stream) -> list[str]:
    """``count`` of ``members`` (sorted by id first), by a partial Fisher–Yates shuffle."""
    order = sorted(members)
    for i in range(count):
        j = i + stream.below(len(order) - i)
        order[i], order[j] = order[j], order[i]
    return order[:count]


def draw_panel(
    groups: Sequence[Sequence[str]],
    compositions: Sequence[Sequence[int]],
    weights: Sequence[str],
    seed: bytes,
) -> tuple[int, list[str]]:
    """The composition drawn and the ids of the panel, in the order they were drawn."""
    stream = Stream(seed)
    index = pick_composition(weights, stream)
    panel: list[str] = []
    for members, count in zip(groups, compositions[index], strict=True):
        if count:
            panel.extend(pick_members(members, int(count), stream))
    return index, panel
