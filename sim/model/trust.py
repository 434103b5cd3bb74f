"""Directed trust between the municipalities of a region: one object owns all of it.

`Trust` holds the matrix (row i: what municipality i believes of each other, 0 on the
diagonal), each row's total (for a fast mean over the whole region), the beliefs worked out
from it (a municipality's mean trust in the other members of a group it is asked about month
after month) and their invalidation: every change of trust goes through `set`, `set_many` or
`update`, which forget exactly the beliefs it made stale. Nothing else writes trust, so no
cache can outlive what it was worked out from.

Large groups (from `LARGE_GROUP` members) have their members' beliefs worked out at once with
numpy, in the same order of additions as the scalar rule, so outputs are bit-identical to adding
them up one by one (`benchmarks/fingerprint.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from sim.model.config import Culture, RegionSpec

LARGE_GROUP = 40
"""From this many members on, trust sums over a group are taken with numpy over the matrix;
below it, plain Python over the row is faster."""
BELIEFS_KEPT = 64  # groups whose mean trust one municipality keeps at a time


class Member(Protocol):
    """What trust needs to know of a municipality: its index in the region."""

    index: int


def sequential_sums(block: np.ndarray) -> np.ndarray:
    """Row sums added strictly left to right, as a Python loop adds them (numpy's `sum` adds
    pairwise, which rounds differently); zeros on the diagonal add nothing."""
    return np.add.accumulate(block, axis=1)[:, -1] if block.shape[1] else np.zeros(len(block))


class Trust:
    """The region's directed trust, its row totals and the beliefs kept from it."""

    def __init__(self, matrix: np.ndarray, images: np.ndarray | None = None) -> None:
        self.matrix = matrix  # changed in place only, never replaced
        # images[i, j]: how much worse i reads j's delivery than it was (rules.seen_through_image)
        self.images = np.zeros_like(matrix) if images is None else images
        # (i, j) -> (trust lost, explained, sincere) since the last forum; None: nobody keeps them
        self.wounds: dict[tuple[int, int], tuple[float, bool, bool]] | None = None
        self._rows = list(matrix)  # row i as a view: reading and writing one row is the hot path
        self._n = len(matrix)
        self._totals: list[float] = sequential_sums(matrix).tolist()
        # i -> {id(group): (group, size, mean trust)}; the group is held so its id stays its own
        self._beliefs: list[dict[int, tuple[Sequence[Member], int, float]]] = [
            {} for _ in range(len(matrix))
        ]
        # id(group) -> (group, its size then): large groups whose members' beliefs are kept
        self._worked_out: dict[int, tuple[Sequence[Member], int]] = {}

    @classmethod
    def initial(
        cls, n: int, centre: int, region: RegionSpec, culture: Culture | None = None
    ) -> Trust:
        """The region's starting trust (or the scenario's `initial_trust`); toward and from the
        centre its own level; the culture's images of the centre and of the others; wounds
        kept where a forum will sit to take them."""
        matrix = np.full((n, n), region.initial_trust)
        matrix[centre, :] = matrix[:, centre] = region.initial_trust_centre
        np.fill_diagonal(matrix, 0.0)
        images = np.zeros((n, n))
        if culture is not None:
            images[:, centre] = culture.image_of_centre
            images[centre, :] = culture.image_of_others
            np.fill_diagonal(images, 0.0)
        trust = cls(matrix, images)
        if culture is not None and culture.forum_interval_months > 0:
            trust.wounds = {}
        return trust

    def __len__(self) -> int:
        return len(self.matrix)

    # --- reading -----------------------------------------------------------------------------

    def of(self, i: int, j: int) -> float:
        """What municipality i believes of j."""
        return self.matrix.item(i, j)

    def row(self, i: int) -> list[float]:
        """What municipality i believes of each other (0 for itself), as a list."""
        return self._rows[i].tolist()

    def total(self, i: int) -> float:
        """The sum of i's trust in all others."""
        return self._totals[i]

    def belief(self, i: int, group: Sequence[Member]) -> float:
        """i's mean trust in the other members of `group`: its belief that they will deliver.

        Kept per group (a table's seats, a project's members) until i's trust changes or the
        group grows."""
        n_region = self._n
        if len(group) == n_region:  # the whole region: the kept total serves
            return self._totals[i] / (n_region - 1)
        kept = self._beliefs[i].get(id(group))
        if kept is not None and kept[0] is group and kept[1] == len(group):
            return kept[2]
        total = 0.0
        n = 0
        row = self._rows[i].tolist()
        for o in group:
            if o.index != i:
                total += row[o.index]
                n += 1
        belief = total / n if n else 1.0
        self._keep(i, group, belief)
        return belief

    def work_out(self, group: Sequence[Member]) -> None:
        """Work out, at once, every member's belief about a large group and keep it (the same
        numbers as `belief` would add up itself)."""
        n = len(group)
        if n < LARGE_GROUP or n == self._n:
            return  # small: Python adds it up; the whole region: the kept totals serve
        kept = self._worked_out.get(id(group))
        if kept is not None and kept[0] is group and kept[1] == n:
            return  # worked out already, and nobody's trust has changed since
        self._worked_out[id(group)] = (group, n)
        idx = np.fromiter((m.index for m in group), dtype=np.intp, count=n)
        totals = sequential_sums(self.matrix[np.ix_(idx, idx)]).tolist()
        for m, total in zip(group, totals, strict=True):
            self._keep(m.index, group, total / (n - 1) if n > 1 else 1.0)

    def _keep(self, i: int, group: Sequence[Member], belief: float) -> None:
        beliefs = self._beliefs[i]
        if len(beliefs) >= BELIEFS_KEPT:
            beliefs.clear()
        beliefs[id(group)] = (group, len(group), belief)

    # --- changing ----------------------------------------------------------------------------

    def _changed(self, rows: Sequence[int]) -> None:
        """Trust in these rows changed: their beliefs, and every group's worked-out beliefs,
        no longer hold."""
        for i in rows:
            if self._beliefs[i]:
                self._beliefs[i].clear()
        if self._worked_out:
            self._worked_out.clear()

    def set(self, i: int, j: int, value: float) -> None:
        """Set i's trust in j."""
        row = self._rows[i]
        self._totals[i] += value - row.item(j)
        row[j] = value
        self._changed((i,))

    def set_many(self, i: int, others: list[int], values: list[float]) -> None:
        """Set i's trust in several others at once (each at most once), as `set` one after the
        other would."""
        row = self._rows[i]
        old = row.tolist()
        total = self._totals[i]
        for j, v in zip(others, values, strict=True):
            total += v - old[j]
        self._totals[i] = total
        row[others] = values
        self._changed((i,))

    def update(self, members: Sequence[Member], seen: list[float], gain: float, loss: float):
        """Every member updates its trust in every other toward what it saw of them, read
        through its image of them, by rules.trust_update and rules.seen_through_image, as one
        array operation: the same arithmetic, element by element, as the rules' scalar form."""
        idx = np.fromiter((m.index for m in members), dtype=np.intp, count=len(members))
        block = self.matrix[np.ix_(idx, idx)]
        target = np.maximum(np.asarray(seen)[np.newaxis, :] - self.images[np.ix_(idx, idx)], 0.0)
        rate = np.where(target >= block, gain, loss)
        new = block + rate * (target - block)
        np.fill_diagonal(new, 0.0)
        totals = np.array([self._totals[i] for i in idx.tolist()])
        totals = sequential_sums(np.column_stack([totals, new - block]))
        self.matrix[np.ix_(idx, idx)] = new
        for i, total in zip(idx.tolist(), totals.tolist(), strict=True):
            self._totals[i] = total
        self._changed(idx.tolist())

    # --- images and wounds (docs/ODD.md, 7.13) -----------------------------------------------

    def image_row(self, i: int) -> list[float]:
        """How much worse i reads each other's delivery than it was."""
        return self.images[i].tolist()

    def contact(self, rate: float) -> None:
        """Everyone met everyone: each image is corrected by `rate` (rules.image_after_contact)."""
        self.images *= 1.0 - rate

    def wound(self, i: int, j: int, lost: float, explained: bool, sincere: bool) -> None:
        """i lost `lost` of its trust in j: kept for the forum (if one sits), adding up; the
        breach counts as explained or sincere only if every part of it was."""
        if self.wounds is None or lost <= 0.0:
            return
        before = self.wounds.get((i, j))
        if before is not None:
            lost += before[0]
            explained = explained and before[1]
            sincere = sincere and before[2]
        self.wounds[(i, j)] = (lost, explained, sincere)

    def take_wounds(self) -> list[tuple[tuple[int, int], tuple[float, bool, bool]]]:
        """The wounds kept since the last forum, in the order they were made; none kept after."""
        if not self.wounds:
            return []
        out = list(self.wounds.items())
        self.wounds.clear()
        return out
