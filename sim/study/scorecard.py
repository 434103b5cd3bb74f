"""The seven criteria of the 2020 assessment framework (Choice memo annexes 2020, Bijlage 4), from
simulated outcomes.

Each criterion is a documented formula of a run's outcomes, scaled to 0..10; nothing is assigned
per arrangement. docs/ODD.md (section 8.1) gives the same formulas with their reasoning.
"""

from __future__ import annotations

import math

from sim.model.outcomes import CRITERIA  # noqa: F401  (re-exported: the criteria's keys)

# Normalisation constants (fixed scales, not fitted to any result):
BUSIEST_MONTH_HOURS = 7 * 6 * 20.0  # seven members at six monthly tables of 20 hours
COSTLIEST_TRANSITION = 100.0  # EUR per inhabitant: a transition this dear scores 0

# The criteria's keys, labels and order are in the outcome catalogue (sim/model/outcomes.py).


UNSCORED_WITHOUT: dict[str, tuple[str, ...]] = {
    "c1_tailoring": ("tailoring_fit",),
    "c2_integration": ("service_pooled_share",),
}
"""Criteria that cannot be scored when a part is missing (NaN): without shared services there
is no tailoring fit and no pooled share, and a criterion scored on its other half alone would
read as a verdict on the services (0 for tailoring, 10 for integration) that nothing measured."""


def _mean(*values: float) -> float:
    """The mean of a criterion's parts; NaN when any part is missing (see `unscored`)."""
    return math.nan if any(math.isnan(v) for v in values) else sum(values) / len(values)


def unscored(summary: dict) -> dict[str, str]:
    """Criterion -> the missing part (a summary key) that keeps it from being scored."""
    out = {}
    for key, parts in UNSCORED_WITHOUT.items():
        missing = [p for p in parts if math.isnan(summary[p])]
        if missing:
            out[key] = missing[0]
    return out


def _clip10(x: float) -> float:
    return math.nan if math.isnan(x) else 10.0 * min(1.0, max(0.0, x))


def scorecard(summary: dict) -> dict[str, float]:
    """The seven criteria for one run, each 0 (worst) .. 10 (best)."""
    months = summary["months"]
    flexible = 1.0 - summary["binding_share"]  # coalitions sized to the task, not all by rule
    return {
        # 1. Tailoring: services fit local wishes; projects involve those who want them.
        "c1_tailoring": _clip10(_mean(summary["tailoring_fit"], flexible)),
        # 2. Integration: municipalities execute together (share in pooled services, and the
        #    share of the region in the average coalition).
        "c2_integration": _clip10(
            _mean(summary["service_pooled_share"], summary["coalition_size_share"])
        ),
        # 3. Variety of scale: the share of coalitions not binding every member.
        "c3_flexibility": _clip10(flexible),
        # 4. Grip: councils' felt say up front and their satisfaction (input and output).
        "c4_grip": _clip10(_mean(summary["grip_mean"], summary["legitimacy_mean"])),
        # 5. Strong execution: what was pledged was delivered, at the services' quality.
        "c5_execution": _clip10(summary["commitment"] * summary["service_quality_mean"]),
        # 6. Simplicity: meeting hours per month against the busiest conceivable cycle.
        "c6_simplicity": _clip10(1.0 - summary["meeting_hours"] / months / BUSIEST_MONTH_HOURS),
        # 7. Transition: one-off cost per inhabitant against a fixed dear reference.
        "c7_transition": _clip10(
            1.0 - summary["transition_cost_per_inhabitant"] / COSTLIEST_TRANSITION
        ),
    }
