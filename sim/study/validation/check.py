"""A check as data: one claim of the model, the set-ups it runs by role, the measure that reads
them, and the direction that must hold.

A check's words (its claim and the statistic that carries it) are in the catalogues
(sim/data/i18n/en.toml and nl.toml, table `[validate.check.WORDS]`), filled with its `fields`;
a field that is a :class:`Label` names an arrangement, shown by its label in the reader's
language (sim/present/validation_report.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field

from sim.study.validation.measures import Measure, Statistic
from sim.study.validation.overrides import Overrides
from sim.study.validation.runs import Arm, records, run_arms
from sim.study.validation.setups import SetUp


class Label(str):
    """A word field that names an arrangement: the report shows the arrangement's label."""

    __slots__ = ()


@dataclass(frozen=True)
class Check:
    """One claim of the model, how it is measured and what must hold."""

    key: str
    _: KW_ONLY
    target: str  # "> 0", "< 0", "> 0.05", ...: the direction (and margin) that must hold
    seeds: int  # default number of seeds
    setups: Mapping[str, SetUp] = field(repr=False, compare=False)  # what it runs, by role
    measure: Measure = field(repr=False, compare=False)
    pattern: int | None = None  # the ODD pattern number (1..8); None for another claim
    words: str = ""  # its entry in the catalogues' [validate.check] table (default: the key)
    # A claim of the sources the model does not reproduce with grounded numbers: reported as a
    # gap (docs/CALIBRATION.md, "Gaps"), not a failure; the tests hold that it still fails.
    gap: bool = False
    fields: Mapping[str, object] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.words:
            object.__setattr__(self, "words", self.key)

    def plan(self, overrides: Overrides | None, seeds: Sequence[int] = ()) -> dict[str, Arm]:
        """The set-ups this check runs, by role, built under the overrides (ConfigError naming
        an override that makes no valid scenario)."""
        return {role: s.arm(overrides or {}) for role, s in self.setups.items()}

    def evaluate(self, overrides: Overrides | None, seeds: Sequence[int]) -> Statistic:
        """Run the set-ups on `seeds` (paired by seed) and measure them."""
        seeds = list(seeds)
        plan = self.plan(overrides, seeds)
        run_arms([(arm, seeds) for arm in plan.values()])
        return self.measure({role: records(arm, seeds) for role, arm in plan.items()})
