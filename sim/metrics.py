"""Outputs: a per-month time series, a one-row run summary, and a per-municipality table.

Why not Mesa's DataCollector: it deep-copies every value and calls reporters twice on the first
collect. Here each month appends one tuple of floats, the tallies of the month's events are
counted where they happen, and trust statistics are recomputed only in months when trust changed,
so recording costs a few microseconds.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model import RegionModel
    from sim.services import ServiceYear

NAN = math.nan

SERIES = (
    "month",
    "year",
    "due",
    "paid",
    "commitment",
    "commitment_cum",
    "defections",
    "defections_detected",
    "free_riding_cum",
    "progress",
    "trust_mean",
    "trust_centre_others",
    "trust_among_others",
    "meeting_hours",
    "energy_mean",
    "legitimacy_mean",
    "grip_mean",
    "service_quality",
    "exits",
    "active_projects",
    "coalition_size_mean",
    "room_total",
)
"""Columns of the time series, one row per month (see docs/ODD.md, "Observation")."""


def ratio(num: float, den: float) -> float:
    return num / den if den > 0 else NAN


class Recorder:
    """Tallies a month's events and appends one row of outputs at its end."""

    def __init__(self, model: RegionModel) -> None:
        self.model = model
        self.rows: list[tuple] = []
        self.trust_changed = True
        self._trust = (NAN, NAN, NAN)
        n = len(model.themes)
        self.due_by_theme = [0.0] * n
        self.paid_by_theme = [0.0] * n
        self.due_total = self.paid_total = 0.0
        self.benefit = self.benefit_unpaid = 0.0
        self.meeting_hours_total = 0.0
        self.defections_total = 0
        self.detected_total = 0
        self.recovered_total = 0
        self.coalition_sizes: list[int] = []  # at each project's close
        self.binding: list[bool] = []  # at each close: did the decision bind every member?
        self.service_cost = self.service_local_cost = 0.0
        self.fit_sum = 0.0
        self.fit_n = 0
        self.pooled = 0
        self.begin_month()

    def begin_month(self) -> None:
        self.meeting_hours = 0.0
        self.due = 0.0
        self.paid = 0.0
        self.defections = 0
        self.detected = 0
        self.recovered = 0

    def service(self, year: ServiceYear) -> None:
        """Take in a service's year: its cost, what going alone would have cost, its fit."""
        self.service_cost += year.cost
        self.service_local_cost += year.local_cost
        self.fit_sum += sum(year.fit)
        self.fit_n += len(year.fit)
        self.pooled += year.pooled

    def trust_stats(self) -> tuple[float, float, float]:
        """Mean trust over all pairs, between the centre and the others, and among the others."""
        model = self.model
        c = model.centre.index
        all_sum = centre_sum = 0.0
        n_all = n_centre = 0
        for m in model.municipalities:
            for j, edge in m.trust.items():
                t = edge["trust"]
                all_sum += t
                n_all += 1
                if j == c or m.index == c:
                    centre_sum += t
                    n_centre += 1
        others = ratio(all_sum - centre_sum, n_all - n_centre)
        return ratio(all_sum, n_all), ratio(centre_sum, n_centre), others

    def record(self, month: int) -> None:
        model = self.model
        munis = model.municipalities
        n = len(munis)
        self.due_total += self.due
        self.paid_total += self.paid
        self.meeting_hours_total += self.meeting_hours
        self.defections_total += self.defections
        self.detected_total += self.detected
        self.recovered_total += self.recovered
        if self.trust_changed:
            self._trust = self.trust_stats()
            self.trust_changed = False
        trust_all, trust_centre, trust_others = self._trust
        projects = model.projects
        energy = legitimacy = grip = room = 0.0
        for m in munis:
            energy += m.energy
            legitimacy += m.legitimacy
            grip += m.grip
            room += m.room
        self.rows.append(
            (
                month,
                model.config.start_year + month // 12,
                self.due,
                self.paid,
                ratio(self.paid, self.due),
                ratio(self.paid_total, self.due_total),
                self.defections,
                self.detected,
                ratio(self.benefit_unpaid, self.benefit),
                model.progress,
                trust_all,
                trust_centre,
                trust_others,
                self.meeting_hours,
                energy / n,
                legitimacy / n,
                grip / n,
                model.service_quality,
                model.exits,
                len(projects),
                ratio(sum(sum(p.active) for p in projects), len(projects)),
                room,
            )
        )

    @property
    def columns(self) -> dict[str, list]:
        """The time series as columns (SERIES order)."""
        cols = list(zip(*self.rows, strict=True)) if self.rows else [() for _ in SERIES]
        return {name: list(col) for name, col in zip(SERIES, cols, strict=True)}

    # --- results ------------------------------------------------------------------------------

    def summary(self) -> dict[str, float | int | str]:
        """One row for the run: the outcomes a comparison or a sweep looks at."""
        model = self.model
        cols = self.columns
        months = len(cols["month"])
        first = min(24, months // 2)

        def window_commitment(lo: int, hi: int) -> float:
            return ratio(sum(cols["paid"][lo:hi]), sum(cols["due"][lo:hi]))

        out: dict[str, float | int | str] = {
            "scenario": model.config.name,
            "seed": model.seed,
            "months": months,
            "municipalities": len(model.municipalities),
            "commitment": ratio(self.paid_total, self.due_total),
            "commitment_first_2y": window_commitment(0, first),
            "commitment_last_2y": window_commitment(months - first, months),
            "free_riding": ratio(self.benefit_unpaid, self.benefit),
            "defections": self.defections_total,
            "defections_detected": self.detected_total,
            "progress": model.progress,
            "meeting_hours": self.meeting_hours_total,
            "progress_per_meeting_hour": ratio(model.progress, self.meeting_hours_total),
            "trust_mean": cols["trust_mean"][-1],
            "trust_centre_others": cols["trust_centre_others"][-1],
            "trust_among_others": cols["trust_among_others"][-1],
            "energy_mean": sum(cols["energy_mean"]) / months,
            "legitimacy_mean": sum(cols["legitimacy_mean"]) / months,
            "grip_mean": sum(cols["grip_mean"]) / months,
            "exits": model.exits,
            "proposed": model.proposed,
            "adopted": model.adopted,
            "completed": model.completed,
            "late_entries": model.late_entries,
            "defections_recovered": self.recovered_total,
            "decision_lag_mean": _nanmean(model.decision_lags),
            "renegotiations": model.renegotiations,
            "coalition_size_mean": _nanmean(self.coalition_sizes),
            "coalition_size_share": ratio(
                _nanmean(self.coalition_sizes), len(model.municipalities)
            ),
            "binding_share": ratio(sum(self.binding), len(self.binding)),
            "service_cost_per_inhabitant": ratio(
                self.service_cost * 1e6, model.population * months / 12
            ),
            "service_efficiency_gain": 1.0 - ratio(self.service_cost, self.service_local_cost),
            "tailoring_fit": ratio(self.fit_sum, self.fit_n),
            "service_pooled_share": ratio(self.pooled, self.fit_n),
            "service_quality_mean": sum(cols["service_quality"]) / months,
            "transition_cost": model.transition_cost,
            "transition_cost_per_inhabitant": model.transition_cost * 1e6 / model.population,
            "upkeep_spent": model.upkeep_spent,
        }
        for k, theme in enumerate(model.theme_names):
            out[f"commitment_{theme}"] = ratio(self.paid_by_theme[k], self.due_by_theme[k])
        return out

    def municipality_rows(self) -> list[dict[str, float | int | str]]:
        """One row per municipality: its delivery, benefit, state at the end."""
        model = self.model
        rows = []
        for m in model.municipalities:
            trust_out = [e["trust"] for e in m.trust.values()]
            trust_in = [o.trust[m.index]["trust"] for o in model.municipalities if o is not m]
            rows.append(
                {
                    "scenario": model.config.name,
                    "seed": model.seed,
                    "municipality": m.name,
                    "population": m.population,
                    "kind": m.kind,
                    "due": m.due_total,
                    "paid": m.paid_total,
                    "commitment": ratio(m.paid_total, m.due_total),
                    "benefit": m.benefit_total,
                    "trust_out": sum(trust_out) / len(trust_out),
                    "trust_in": sum(trust_in) / len(trust_in),
                    "energy": m.energy,
                    "legitimacy": m.legitimacy,
                    "grip_mean": m.grip_sum / max(1, len(self.rows)),
                    "service_cost": m.service_cost,
                    "exited_themes": ",".join(sorted(m.exited)),
                }
            )
        return rows


def _nanmean(values: list[float]) -> float:
    vals = [v for v in values if v == v]
    return sum(vals) / len(vals) if vals else NAN
