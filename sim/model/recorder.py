"""Outputs: a per-month time series, a one-row run summary, a per-municipality table and an
event log.

The recorder owns every tally: the phases count what happens (`recorder.adopted += 1`,
`recorder.event(...)`) and nothing else keeps outcome state. Labels, units and which direction
is better live in the outcome catalogue (sim/model/outcomes.py), keyed by the names used here.

Why not Mesa's DataCollector: it deep-copies every value and calls reporters twice on the first
collect. Here each month appends one row of floats, the tallies of the month's events are
counted where they happen, and trust statistics are recomputed only in months when trust changed,
so recording costs a few microseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.model import RegionModel
    from sim.model.services import ServiceYear

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
    "ownership_mean",
    "service_quality",
    "exits",
    "active_projects",
    "coalition_size_mean",
    "room_total",
)
"""Columns of the time series, one row per month (see docs/ODD.md, "Observation")."""


def ratio(num: float, den: float) -> float:
    return num / den if den > 0 else NAN


EVENT_COLUMNS = ("month", "event", "municipality", "theme", "value")
"""Columns of the event log. Event names are stable keys; `value` is the event's number (what
it measures per event: EVENTS in sim/model/outcomes.py and docs/ODD.md, "Observation"). Captions for
people are made from these by the translation catalogues, not stored here."""


class Recorder:
    """Tallies a month's events and appends one row of outputs at its end."""

    def __init__(self, model: RegionModel) -> None:
        self.model = model
        self.rows: list[dict[str, float]] = []  # one per month, keyed by SERIES
        self.events: list[tuple] = []  # EVENT_COLUMNS
        # Run tallies, counted where they happen.
        self.progress = 0.0  # value delivered (MEUR-equivalent), cumulative
        self.proposed = self.adopted = self.completed = 0
        self.exits = self.late_entries = self.renegotiations = 0
        self.decision_lags: list[int] = []
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

    def event(
        self, month: int, event: str, municipality: str = "", theme: str = "", value: float = NAN
    ) -> None:
        """One line in the run's event log."""
        self.events.append((month, event, municipality, theme, value))

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
        """Mean trust over all pairs, between the centre and the others, and among the others
        (sums added row by row, left to right; the diagonal's zeros add nothing)."""
        matrix, c = self.model.trust.matrix, self.model.centre.index
        n = len(matrix)
        all_sum = float(np.add.accumulate(matrix.ravel())[-1])
        centre = np.zeros((n, n), dtype=bool)
        centre[c, :] = centre[:, c] = True
        centre_sum = float(np.add.accumulate(matrix[centre])[-1])
        n_all, n_centre = n * (n - 1), 2 * (n - 1)
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
        energy = legitimacy = grip = room = ownership = 0.0
        for m in munis:
            energy += m.energy
            legitimacy += m.legitimacy
            grip += m.grip
            room += m.account.room
            ownership += sum(m.ownership)
        self.rows.append(
            {
                "month": month,
                "year": model.config.start_year + month // 12,
                "due": self.due,
                "paid": self.paid,
                "commitment": ratio(self.paid, self.due),
                "commitment_cum": ratio(self.paid_total, self.due_total),
                "defections": self.defections,
                "defections_detected": self.detected,
                "free_riding_cum": ratio(self.benefit_unpaid, self.benefit),
                "progress": self.progress,
                "trust_mean": trust_all,
                "trust_centre_others": trust_centre,
                "trust_among_others": trust_others,
                "meeting_hours": self.meeting_hours,
                "energy_mean": energy / n,
                "legitimacy_mean": legitimacy / n,
                "grip_mean": grip / n,
                "ownership_mean": ownership / (n * len(model.themes)),
                "service_quality": model.service_quality,
                "exits": self.exits,
                "active_projects": len(projects),
                "coalition_size_mean": ratio(sum(len(p.active) for p in projects), len(projects)),
                "room_total": room,
            }
        )

    @property
    def event_rows(self) -> list[dict]:
        """The event log as rows (EVENT_COLUMNS)."""
        return [dict(zip(EVENT_COLUMNS, e, strict=True)) for e in self.events]

    @property
    def columns(self) -> dict[str, list]:
        """The time series as columns (SERIES order)."""
        rows = self.rows
        return {name: [r[name] for r in rows] for name in SERIES}

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
            "progress": self.progress,
            "meeting_hours": self.meeting_hours_total,
            "progress_per_meeting_hour": ratio(self.progress, self.meeting_hours_total),
            "trust_mean": cols["trust_mean"][-1],
            "trust_centre_others": cols["trust_centre_others"][-1],
            "trust_among_others": cols["trust_among_others"][-1],
            "energy_mean": sum(cols["energy_mean"]) / months,
            "legitimacy_mean": sum(cols["legitimacy_mean"]) / months,
            "grip_mean": sum(cols["grip_mean"]) / months,
            "ownership_mean": sum(cols["ownership_mean"]) / months,
            "exits": self.exits,
            "proposed": self.proposed,
            "adopted": self.adopted,
            "completed": self.completed,
            "late_entries": self.late_entries,
            "defections_recovered": self.recovered_total,
            "decision_lag_mean": _nanmean(self.decision_lags),
            "renegotiations": self.renegotiations,
            "coalition_size_mean": _nanmean(self.coalition_sizes),
            "coalition_size_share": ratio(
                _nanmean(self.coalition_sizes), len(model.municipalities)
            ),
            "binding_share": ratio(sum(self.binding), len(self.binding)),
            "service_cost_per_inhabitant": self._per_inhabitant(
                self.service_cost, model.population
            ),
            "service_efficiency_gain": 1.0 - ratio(self.service_cost, self.service_local_cost),
            "tailoring_fit": ratio(self.fit_sum, self.fit_n),
            "service_pooled_share": ratio(self.pooled, self.fit_n),
            "service_quality_mean": sum(cols["service_quality"]) / months,
            "transition_cost": model.transition_cost,
            "transition_cost_per_inhabitant": model.transition_cost * 1e6 / model.population,
            "upkeep_spent": model.ledger.upkeep_spent,
        }
        for t in model.themes:
            out[f"commitment_{t.name}"] = ratio(
                self.paid_by_theme[t.index], self.due_by_theme[t.index]
            )
        return out

    def _per_inhabitant(self, service_cost: float, population: float) -> float:
        """A service cost (MEUR over the run) in EUR per inhabitant per year; missing where no
        theme has shared services: no service cost, not a 0 that reads as the cheapest."""
        if not self.model.services:
            return NAN
        return ratio(service_cost * 1e6, population * len(self.rows) / 12)

    def municipality_rows(self) -> list[dict[str, float | int | str]]:
        """One row per municipality: its delivery, benefit, state at the end."""
        model = self.model
        rows = []
        trust = model.trust.matrix.tolist()
        for m in model.municipalities:
            i = m.index
            trust_out = [t for j, t in enumerate(trust[i]) if j != i]
            trust_in = [row[i] for j, row in enumerate(trust) if j != i]
            rows.append(
                {
                    "scenario": model.config.name,
                    "seed": model.seed,
                    "municipality": m.name,
                    "population": m.population,
                    "kind": m.kind,
                    "due": m.due_total,
                    "paid": m.account.paid_projects,
                    "commitment": ratio(m.account.paid_projects, m.due_total),
                    "benefit": m.benefit_total,
                    "trust_out": sum(trust_out) / len(trust_out),
                    "trust_in": sum(trust_in) / len(trust_in),
                    "energy": m.energy,
                    "legitimacy": m.legitimacy,
                    "grip_mean": m.grip_sum / max(1, len(self.rows)),
                    "ownership": sum(m.ownership) / len(m.ownership),
                    "service_cost": m.account.service_cost,
                    "service_cost_per_inhabitant": self._per_inhabitant(
                        m.account.service_cost, m.population
                    ),
                    "paid_dues": m.account.paid_dues,
                    # What it paid (projects, dues, services) minus the value it received.
                    "net_cost": m.account.paid_projects
                    + m.account.paid_dues
                    + m.account.service_cost
                    - m.benefit_total,
                    "exited_themes": ",".join(sorted(m.exited)),
                }
            )
        return rows


def _nanmean(values: Sequence[float]) -> float:
    vals = [v for v in values if v == v]
    return sum(vals) / len(vals) if vals else NAN
