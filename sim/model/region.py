"""The region: the seven Drechtsteden municipalities, or a synthetic region of N.

Synthetic regions let scholars ask how results scale (up to the ~342 Dutch municipalities).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.config import (
    MunicipalitySpec,
    RegionSpec,
    load_region_spec,
    load_themes,
    region_size,
)

if TYPE_CHECKING:
    from agents.municipality import Municipality

# Synthetic size distribution. ASSUMPTION fitted by eye to CBS 2024 municipality sizes: a
# lognormal body with median about 28,000 inhabitants and sigma 0.8, heavy enough in the tail
# to give a few cities above 150,000 among 342; the largest is made the centre city and at least
# 2.5 times the second (Dordrecht is 2.7 times Zwijndrecht).
SYNTHETIC_MEDIAN = 28_000
SYNTHETIC_SIGMA = 0.8
CENTRE_DOMINANCE = 2.5
CAPACITY_HOURS_PER_10K = 65.0  # 0.5 FTE per 10,000 inhabitants, as in drechtsteden.toml
ROOM_PER_INHABITANT = 10.0
ROOM_PER_INHABITANT_CENTRE = 12.5


def synthetic_region(n: int, seed: int | np.random.SeedSequence) -> RegionSpec:
    """A region of `n` municipalities with one centre city and heavy-tailed sizes.

    Salience and autonomy are drawn from Beta(4, 4) (mean 0.5, most mass in 0.25..0.75); the
    centre's autonomy from Beta(2, 5), lower, as Dordrecht's council favours a strong region.
    """
    rng = np.random.default_rng(seed)
    sizes = np.exp(rng.normal(np.log(SYNTHETIC_MEDIAN), SYNTHETIC_SIGMA, size=n))
    sizes = np.clip(sizes, 1_000, 1_000_000)
    order = np.argsort(-sizes)
    sizes = sizes[order]
    if n > 1:
        sizes[0] = max(sizes[0], CENTRE_DOMINANCE * sizes[1])
    themes = list(load_themes())
    munis = []
    for i, size in enumerate(sizes):
        pop = int(round(size, -2))
        centre = i == 0
        munis.append(
            MunicipalitySpec(
                name="Centre" if centre else f"M{i:03d}",
                population=pop,
                regional_room_per_inhabitant=ROOM_PER_INHABITANT_CENTRE
                if centre
                else ROOM_PER_INHABITANT,
                autonomy=float(rng.beta(2, 5) if centre else rng.beta(4, 4)),
                capacity_hours=CAPACITY_HOURS_PER_10K * pop / 10_000,
                salience={t: float(rng.beta(4, 4)) for t in themes},
            )
        )
    return RegionSpec(
        name=f"synthetic:{n}",
        label=f"synthetic region of {n}",
        centre="Centre",
        initial_trust=0.6,
        initial_trust_centre=0.5,
        municipalities=munis,
    )


IDENTICAL_POPULATION = 25_000  # ASSUMPTION: a small Drechtsteden municipality's size


def identical_region(n: int, initial_trust: float = 0.5) -> RegionSpec:
    """A region of `n` identical municipalities: the reduction to a laboratory public-goods game.

    Every member has the same size, room, capacity, autonomy and salience 0.5 in every theme
    (so salience weighs 1 and nobody's interests differ); the first is the "centre" only because
    a region must name one, and the trust among all starts at `initial_trust` (the scenario's
    `initial_trust` overrides it).
    """
    themes = list(load_themes())
    munis = [
        MunicipalitySpec(
            name=f"M{i + 1}",
            population=IDENTICAL_POPULATION,
            regional_room_per_inhabitant=ROOM_PER_INHABITANT,
            autonomy=0.5,
            capacity_hours=CAPACITY_HOURS_PER_10K * IDENTICAL_POPULATION / 10_000,
            salience=dict.fromkeys(themes, 0.5),
        )
        for i in range(n)
    ]
    return RegionSpec(
        name=f"identical:{n}",
        label=f"{n} identical municipalities",
        centre="M1",
        initial_trust=initial_trust,
        initial_trust_centre=initial_trust,
        municipalities=munis,
    )


def region_for(name: str, seed: int, initial_trust: float | None = None) -> RegionSpec:
    """The region a scenario names, with the scenario's initial trust if it sets one.

    A synthetic region is drawn from a stream spawned from the run's seed: Mesa seeds
    `model.rng` with the seed itself, so drawing the region from the seed directly would repeat
    the model's own stream.
    """
    if (n := region_size(name, "synthetic")) is not None:
        (stream,) = np.random.SeedSequence(seed).spawn(1)
        region = synthetic_region(n, stream)
    elif (n := region_size(name, "identical")) is not None:
        region = identical_region(n)
    else:
        region = load_region_spec(name)
    if initial_trust is not None:
        region = region.model_copy(
            update={"initial_trust": initial_trust, "initial_trust_centre": initial_trust}
        )
    return region


def spread_salience(municipalities: list[Municipality], themes: int, spread: float) -> None:
    """Scale each municipality's salience away from the regional mean (interest divergence)."""
    if spread == 1.0:
        return
    n = len(municipalities)
    for k in range(themes):
        mean = sum(m.salience[k] for m in municipalities) / n
        for m in municipalities:
            m.salience[k] = min(1.0, max(0.0, mean + spread * (m.salience[k] - mean)))
            m.irrelevance[k] = 1.0 - m.salience[k]
