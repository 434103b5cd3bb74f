"""Themes in force, and projects: proposals adopted at a table and delivered by a coalition."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agents.municipality import Municipality
    from sim.model.config import Arrangement, Theme


@dataclass(frozen=True, slots=True, eq=False)
class ThemeInForce:
    """A policy domain (beleidsdomein) as the model runs it: its character and the arrangement
    in force for it, with its place in the model's theme order."""

    name: str
    index: int
    character: Theme
    arrangement: Arrangement

    @property
    def has_service(self) -> bool:
        """Whether the theme has an execution organisation (social domain, business operations)."""
        return self.character.service_cost_per_inhabitant > 0

    @property
    def table(self) -> tuple[str, str]:
        """The theme's table as a node of the network."""
        return ("table", self.name)


@dataclass(slots=True, eq=False)
class Membership:
    """One municipality's part in a project: its terms, how it joined, what it paid."""

    municipality: Municipality
    cost_share: float
    value_share: float
    benefit_ratio: float  # perceived local benefit per euro of its own cost
    mode: str  # full, solidarity or late
    chose: bool  # it said yes to this obligation (a binding decision may impose it)
    sincere: bool = True  # its yes was meant (rules.insincere_chance)
    excused: bool = False  # it withheld an instalment it could not help (no room, overstretched)
    due: float = 0.0
    paid: float = 0.0
    active: bool = True  # False once it has left the theme

    @property
    def kept(self) -> float:
        """Share of what fell due that it paid (1 when nothing fell due)."""
        return self.paid / self.due if self.due > 0 else 1.0


@dataclass(slots=True, eq=False)
class Project:
    """A regional project and its coalition, one Membership per member."""

    pid: int
    theme: ThemeInForce
    members: list[Membership]
    cost: float  # MEUR, the whole project
    start: int  # month it was adopted
    instalments: int
    host: Municipality  # where the local (distributive) part of the value lands
    instalments_done: int = 0
    spent: float = 0.0
    funded: float = 0.0  # covered by the regional base fund
    deterrence: float = field(init=False)  # expected response to withholding
    # Every member, leavers included: the group whose delivery a member expects. Kept beside
    # `members` (appended to on late entry) because each payment decision reads it.
    member_municipalities: list[Municipality] = field(init=False)
    # Members still in (not left), kept as members join and leave: every month's outputs and
    # coalition meetings read it.
    active: list[Membership] = field(init=False)

    def __post_init__(self) -> None:
        rules = self.theme.arrangement
        self.deterrence = rules.monitoring * rules.sanction
        self.member_municipalities = [ms.municipality for ms in self.members]
        self.active = [ms for ms in self.members if ms.active]

    def admit(self, ms: Membership) -> None:
        """A late entrant joins."""
        self.members.append(ms)
        self.member_municipalities.append(ms.municipality)
        self.active.append(ms)

    def leave(self, ms: Membership) -> None:
        """A member leaves: it stays on the books (what it was due and paid), no longer active."""
        ms.active = False
        self.active = [o for o in self.members if o.active]

    @property
    def value(self) -> float:
        """MEUR-equivalent regional value if fully delivered."""
        return self.cost * self.theme.character.value_ratio

    @property
    def node(self) -> tuple[str, int]:
        return ("coalition", self.pid)

    @property
    def completion(self) -> float:
        return self.spent / self.cost if self.cost > 0 else 0.0

    def membership(self, m: Municipality) -> Membership | None:
        for ms in self.members:
            if ms.municipality is m:
                return ms
        return None

    def annual_cost(self, ms: Membership) -> float:
        """A member's share of what the members pay, per year of the project (MEUR per year)."""
        months = self.theme.character.project_months
        return (self.cost - self.funded) * ms.cost_share * 12.0 / months

    def instalment(self, ms: Membership) -> float:
        return (self.cost - self.funded) * ms.cost_share / self.instalments
