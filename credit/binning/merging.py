"""Merging adjacent classes until they are monotone, large enough and few enough.

Both numeric and categorical binning reduce to one problem: an ordered sequence of fine
classes (quantile slices, or categories sorted by bad rate), each with a count and a number
of bads, to be merged into adjacent groups whose bad rates rise strictly in one direction,
each holding at least a minimum share of the population, and no more than a maximum
number. Merges are always of neighbours, and merging two neighbours of a monotone sequence
keeps it monotone, so the steps can run one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Block:
    """A group of adjacent fine classes (mutable: it only lives during one fit)."""

    count: int
    bads: int
    members: list[int] = field(default_factory=list)

    def rate(self, prior: float) -> float:
        return self.bads / self.count if self.count else prior

    def smoothed(self, prior: float, smoothing: float) -> float:
        return (self.bads + smoothing * prior) / (self.count + smoothing)

    def absorb(self, other: Block) -> None:
        self.count += other.count
        self.bads += other.bads
        self.members.extend(other.members)


def _chi2(a: Block, b: Block) -> float:
    """Pearson chi-square of the 2x2 table of two blocks: small means alike."""
    n = a.count + b.count
    bads = a.bads + b.bads
    if n == 0 or bads == 0 or bads == n:
        return 0.0
    stat = 0.0
    for block in (a, b):
        expected_bad = block.count * bads / n
        expected_good = block.count - expected_bad
        if expected_bad > 0:
            stat += (block.bads - expected_bad) ** 2 / expected_bad
        if expected_good > 0:
            stat += (block.count - block.bads - expected_good) ** 2 / expected_good
    return stat


def _merge(blocks: list[Block], left: int) -> None:
    blocks[left].absorb(blocks[left + 1])
    del blocks[left + 1]


def pool_adjacent_violators(blocks: list[Block], increasing: bool, prior: float) -> list[Block]:
    """Merge neighbours until bad rates rise (or fall) strictly: the monotone fit."""
    out: list[Block] = []
    for block in blocks:
        out.append(Block(block.count, block.bads, list(block.members)))
        while len(out) > 1 and _violates(out[-2], out[-1], increasing, prior):
            _merge(out, len(out) - 2)
    return out


def _violates(left: Block, right: Block, increasing: bool, prior: float) -> bool:
    a, b = left.rate(prior), right.rate(prior)
    return a >= b if increasing else a <= b


def merge_small(blocks: list[Block], min_count: float) -> None:
    """Merge the smallest block under ``min_count`` into its more alike neighbour, repeatedly."""
    while len(blocks) > 1:
        small = [i for i, block in enumerate(blocks) if block.count < min_count]
        if not small:
            return
        i = min(small, key=lambda j: blocks[j].count)
        if i == 0:
            _merge(blocks, 0)
        elif i == len(blocks) - 1 or _chi2(blocks[i - 1], blocks[i]) <= _chi2(
            blocks[i], blocks[i + 1]
        ):
            _merge(blocks, i - 1)
        else:
            _merge(blocks, i)


def merge_to_count(blocks: list[Block], max_blocks: int) -> None:
    """Merge the most alike neighbours (smallest chi-square) until few enough remain."""
    while len(blocks) > max_blocks:
        i = min(range(len(blocks) - 1), key=lambda j: _chi2(blocks[j], blocks[j + 1]))
        _merge(blocks, i)


def enforce_strict(blocks: list[Block], increasing: bool, prior: float, smoothing: float) -> None:
    """Merge until both raw and smoothed bad rates are strictly monotone.

    Smoothing can reorder two small neighbours whose raw rates were in order; the smoothed
    rate is what the WoE encodes, so both must be in order for the points to be monotone.
    """
    changed = True
    while changed and len(blocks) > 1:
        changed = False
        for i in range(len(blocks) - 1):
            a, b = blocks[i], blocks[i + 1]
            raw_bad = _violates(a, b, increasing, prior)
            sa, sb = a.smoothed(prior, smoothing), b.smoothed(prior, smoothing)
            smooth_bad = sa >= sb if increasing else sa <= sb
            if raw_bad or smooth_bad:
                _merge(blocks, i)
                changed = True
                break
