"""Money: each municipality's regional account and the region's ledger.

Every euro a municipality's budget puts into regional work moves through its `Account`, and the
region's `Ledger` records what was granted and what the common funds hold, so that the
conservation check (`Ledger.balanced`) can prove no money appears or vanishes. Amounts are in
MEUR.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(slots=True)
class Account:
    """A municipality's regional budget (regionaal budget): its room and where the money went."""

    annual_room: float  # what its budget grants regional work in a normal year
    room: float = 0.0  # this year's room still free
    room_year: float = 0.0  # this year's grant after dues and any cut: what pledges must fit
    committed: float = 0.0  # yearly cost of the projects it is pledged to
    reserve: float = 0.0  # back in the general budget: lapsed or cut room
    paid_projects: float = 0.0
    paid_dues: float = 0.0  # fixed yearly dues: network upkeep, base fund
    service_cost: float = 0.0  # shared or own services, paid from the general budget

    def open_year(self, grant: float) -> None:
        """A new budget year: unspent room lapses to the reserve; the new grant arrives."""
        self.reserve += self.room
        self.room = grant

    def pay_dues(self, amount: float) -> None:
        self.room -= amount
        self.paid_dues += amount

    def pay_project(self, amount: float) -> None:
        self.room -= amount
        self.paid_projects += amount

    def pay_out(self, amount: float) -> None:
        """Money to other municipalities (an exit or entry fee); they `receive` it."""
        self.room -= amount

    def receive(self, amount: float) -> None:
        self.room += amount

    def cut(self, share: float) -> None:
        """A budget cut takes its share of the free room back and shrinks this year's room."""
        taken = self.room * share
        self.room -= taken
        self.reserve += taken
        self.room_year *= 1.0 - share

    @property
    def held(self) -> float:
        """Everything ever granted, wherever it is now."""
        return self.room + self.reserve + self.paid_projects + self.paid_dues


@dataclass(slots=True)
class Ledger:
    """The region's books: grants made and the common funds of the network model."""

    granted: float = 0.0  # every euro ever put into regional rooms
    upkeep_spent: float = 0.0  # network upkeep and programme staff
    base_fund: float = 0.0  # the base fund for projects, still unspent
    base_fund_granted: float = 0.0  # what the base fund has paid into projects

    def balanced(self, accounts: Iterable[Account], tolerance: float = 1e-9) -> bool:
        """Conservation: money granted is held somewhere, and dues are upkeep or base fund."""
        accounts = list(accounts)
        held = sum(a.held for a in accounts)
        dues = sum(a.paid_dues for a in accounts)
        common = self.upkeep_spent + self.base_fund + self.base_fund_granted
        scale = max(1.0, self.granted)
        return abs(held - self.granted) <= tolerance * scale and abs(dues - common) <= (
            tolerance * scale
        )
