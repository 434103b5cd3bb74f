"""A project: a proposal adopted at a theme's table and delivered by a coalition."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agents.municipality import Municipality
    from sim.config import Arrangement, Theme


@dataclass(slots=True, eq=False)
class Project:
    """A regional project. Lists are aligned with `members`."""

    pid: int
    theme_name: str
    theme_index: int
    theme: Theme
    arrangement: Arrangement
    members: list[Municipality]
    cost: float  # MEUR, the whole project
    value: float  # MEUR-equivalent regional value if fully delivered
    start: int  # month it was adopted
    instalments: int
    cost_share: list[float]
    benefit_share: list[float]
    benefit_ratio: list[float]  # perceived local benefit per euro of own cost, per member
    voted_yes: list[bool]
    mode: list[str]  # participation mode: full, solidarity, late
    host: Municipality  # where the local (distributive) part of the value lands
    due: list[float] = field(default_factory=list)
    paid: list[float] = field(default_factory=list)
    active: list[bool] = field(default_factory=list)  # False once a member has left
    instalments_done: int = 0
    spent: float = 0.0
    funded: float = 0.0  # covered by the regional base fund
    deterrence: float = 0.0  # expected response to withholding: monitoring x sanction

    def __post_init__(self) -> None:
        n = len(self.members)
        self.due = [0.0] * n
        self.paid = [0.0] * n
        self.active = [True] * n
        self.deterrence = self.arrangement.monitoring * self.arrangement.sanction

    @property
    def node(self) -> tuple[str, int]:
        return ("coalition", self.pid)

    @property
    def completion(self) -> float:
        return self.spent / self.cost if self.cost > 0 else 0.0

    def annual_cost(self, member: int) -> float:
        """A member's share of what the members pay, per year of the project (MEUR per year)."""
        return (
            (self.cost - self.funded) * self.cost_share[member] * 12.0 / self.theme.project_months
        )

    def instalment(self, member: int) -> float:
        return (self.cost - self.funded) * self.cost_share[member] / self.instalments

    def rebalance(
        self,
        newcomer: Municipality,
        mode: str,
        cost_share: list[float],
        benefit_share: list[float],
        benefit_ratio: list[float],
    ) -> None:
        """Add a late entrant; the remaining instalments and the value are re-split."""
        self.members.append(newcomer)
        self.mode.append(mode)
        self.voted_yes.append(True)
        self.due.append(0.0)
        self.paid.append(0.0)
        self.active.append(True)
        self.cost_share = cost_share
        self.benefit_share = benefit_share
        self.benefit_ratio = benefit_ratio
