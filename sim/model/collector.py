"""Mesa's DataCollector interface over the recorder, so Mesa's tools read a samenspel run.

`model.datacollector` answers `get_model_vars_dataframe()` (one row per month: every column of
the monthly series, sim/model/recorder.py's SERIES) and `get_agent_vars_dataframe()` (one row per
municipality at the end of the run: the per-municipality table), and holds what
`mesa.batch_run` reads, so `batch_run(RegionModel, {...})` works as Mesa's documentation shows.

It is a view, made when asked: nothing is copied while the model runs. Mesa's own DataCollector
deep-copies every reported value every step, which would cost a run several percent of its time
(measured: benchmarks/README.md); the recorder already keeps the same numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sim.model.recorder import SERIES

if TYPE_CHECKING:
    from sim.model.model import RegionModel

AGENT_VARS = (
    "municipality",
    "population",
    "kind",
    "due",
    "paid",
    "commitment",
    "benefit",
    "trust_out",
    "trust_in",
    "energy",
    "legitimacy",
    "grip_mean",
    "ownership",
    "service_cost_per_inhabitant",
    "net_cost",
)
"""The agent variables, at the end of the run (columns of the per-municipality table)."""


class RecorderData:
    """What Mesa's DataCollector offers, read from a model's recorder.

    Model variables are collected every month (Mesa's step 1 is the first month); agent
    variables once, at the end of the run (the recorder keeps per-municipality totals, not a
    monthly row per municipality)."""

    def __init__(self, model: RegionModel) -> None:
        self._model = model
        self.model_reporters = dict.fromkeys(SERIES)
        self.agent_reporters = dict.fromkeys(AGENT_VARS[1:])
        self.agenttype_reporters: dict = {}
        self._agenttype_records: dict = {}

    @property
    def _collection_steps(self) -> list[int]:
        return list(range(1, len(self._model.recorder.rows) + 1))

    @property
    def model_vars(self) -> dict[str, list]:
        """Each monthly series as a list, one value per collected step."""
        return self._model.recorder.columns

    @property
    def _agent_records(self) -> dict[int, list[tuple]]:
        """Mesa's layout: step -> [(step, agent id, values in agent_reporters order)]."""
        model = self._model
        if not model.recorder.rows:
            return {}
        step = len(model.recorder.rows)
        rows = model.recorder.municipality_rows()
        records = [
            (step, m.unique_id, *(row[k] for k in AGENT_VARS[1:]))
            for m, row in zip(model.municipalities, rows, strict=True)
        ]
        return {step: records}

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per month, indexed by Mesa's step (1 = the first month)."""
        frame = pd.DataFrame(self._model.recorder.rows, columns=list(SERIES))
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="Step")
        return frame

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """One row per municipality at the last step, indexed by (Step, AgentID)."""
        records = [r for rs in self._agent_records.values() for r in rs]
        frame = pd.DataFrame(records, columns=["Step", "AgentID", *AGENT_VARS[1:]])
        names = [m.name for m in self._model.municipalities]
        frame.insert(2, "municipality", names[: len(frame)])
        return frame.set_index(["Step", "AgentID"])
