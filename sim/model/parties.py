"""Party groups for a regional council that votes along party lines (the Drechtraad, Choice memo
annexes 2020).

Each council's seats are split over a few regional party families; their vote shares and their
stance on regional ambition are redrawn at every municipal election.
"""

from __future__ import annotations

import random

PARTIES = 5  # ASSUMPTION: five party families (e.g. local parties, and four national ones)
SHARE_CONCENTRATION = 2.0  # Dirichlet parameter for vote shares: uneven, but every party present


class Parties:
    """Vote shares per municipality and a regional stance per party (-1 local .. +1 regional)."""

    def __init__(self, municipalities: int, rnd: random.Random) -> None:
        self.shares: list[list[float]] = []
        self.stance: list[float] = []
        self.elect(municipalities, rnd)

    def elect(self, municipalities: int, rnd: random.Random) -> None:
        """A municipal election: new vote shares in every council and new party stances."""
        self.shares = []
        for _ in range(municipalities):
            g = [rnd.gammavariate(SHARE_CONCENTRATION, 1.0) for _ in range(PARTIES)]
            total = sum(g)
            self.shares.append([x / total for x in g])
        self.stance = [rnd.uniform(-1.0, 1.0) for _ in range(PARTIES)]
