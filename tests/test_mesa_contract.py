"""Mesa's contract: a Mesa user drives RegionModel the way Mesa teaches.

`running` turns False at the horizon (so `run_model()` and `batch_run` stop), the data
collector answers Mesa's questions from the recorder, `batch_run` works from a plain script
(Mesa starts its pool with `spawn`), and its numbers are the model's own, to the bit.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from sim.model.config import ConfigError
from sim.model.model import RegionModel
from sim.model.recorder import SERIES
from tests.conftest import ROOT


@pytest.mark.parametrize("preset", ["grd", "network-2024"])
def test_run_model_stops_at_the_horizon(preset):
    model = RegionModel(preset, seed=1)
    model.run_model()
    months = model.config.months
    assert model.running is False and model.steps == months
    assert len(model.recorder.rows) == months
    with pytest.raises(RuntimeError, match="horizon"):
        model.step()  # the scenario has no month beyond it


def test_the_data_collector_reads_the_recorder():
    model = RegionModel("split-2022", seed=4, years=2)
    model.run_model()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == list(SERIES) and list(frame.index) == list(range(1, 25))
    assert frame["commitment_cum"].iloc[-1] == model.recorder.rows[-1]["commitment_cum"]
    agents = model.datacollector.get_agent_vars_dataframe()
    assert len(agents) == len(model.municipalities)
    assert set(agents.index.get_level_values("Step")) == {24}
    assert list(agents["municipality"]) == [m.name for m in model.municipalities]


def test_overrides_are_scenario_or_behaviour_keys():
    model = RegionModel("grd", seed=0, years=3, trust_loss=0.31)
    assert model.config.years == 3 and model.config.behaviour.trust_loss == 0.31
    with pytest.raises(ConfigError, match="trust_los"):
        RegionModel("grd", trust_los=0.3)
    with pytest.raises(ConfigError, match="trust_loss"):
        RegionModel("grd", trust_loss=2.0)  # validated like a scenario file


def test_no_seed_draws_one_that_repeats_the_run():
    first = RegionModel("grd", seed=None, years=1).run()
    again = RegionModel("grd", seed=first.seed, years=1).run()
    assert first.recorder.rows == again.recorder.rows


SCRIPT = """
import json
import mesa
from sim.model.model import RegionModel

{guard}rows = mesa.batch_run(
    RegionModel,
    {{"scenario": ["network-2024", "split-2022"], "trust_loss": [0.2, 0.4], "years": 2}},
    rng=[5, 6],
    max_steps=1000,
    number_processes={processes},
    data_collection_period=1,
    display_progress=False,
)
keep = ("scenario", "trust_loss", "seed", "Step", "AgentID", "commitment_cum", "trust_mean")
print(json.dumps([{{k: r.get(k) for k in keep}} for r in rows]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("processes", [1, 2])
def test_batch_run_from_a_plain_script_gives_the_models_own_numbers(processes, tmp_path):
    """Mesa's documented usage, saved as a script. With one process it needs no main guard;
    with more, Python's `spawn` (which batch_run forces) needs one, as for any pool."""
    script = tmp_path / "batch.py"
    guard = "if __name__ == '__main__':\n  " if processes > 1 else ""
    body = textwrap.dedent(SCRIPT.format(processes=processes, guard="{guard}"))
    if guard:
        head, call = body.split("{guard}")
        body = head + "if __name__ == '__main__':\n" + textwrap.indent(call, "    ")
    else:
        body = body.replace("{guard}", "")
    script.write_text(body)
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = pd.DataFrame(json.loads(done.stdout))
    monthly = rows.drop_duplicates(["scenario", "trust_loss", "seed", "Step"])
    assert len(monthly) == 2 * 2 * 2 * 24  # scenarios x trust_loss x seeds x months
    last = monthly[monthly["Step"] == 24]
    for r in last.itertuples():
        model = RegionModel(r.scenario, seed=r.seed, trust_loss=r.trust_loss, years=2).run()
        assert model.recorder.rows[-1]["commitment_cum"] == pytest.approx(
            r.commitment_cum, nan_ok=True, rel=0, abs=0
        )
        assert model.recorder.rows[-1]["trust_mean"] == r.trust_mean
