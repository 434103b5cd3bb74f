"""`samenspel rerun SWEEP RUN_ID`: any run of a sweep (a Sobol, a Latin hypercube and a list
design with text values) is rebuilt from what the sweep recorded, reproduces its row bit for
bit, and writes a scenario file that `run` (with the run's seed), `compare`, `whatif` and
`animate` take; a row it does not reproduce is named value by value (exit 1); what cannot be
rerun is refused in one line (exit 2), writing nothing."""

from __future__ import annotations

import json
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import load_municipalities, load_results, load_scenario
from sim.io.journal import file_digest
from sim.present.cli import main
from sim.study.experiment import lookup
from tests.conftest import ROOT

SWEEPS = ROOT / "experiments" / "sweeps"

SPECS = {
    "sobol": """name = "sob"
base = "split-2022"
years = 1
master_seed = 5
[design]
kind = "sobol"
samples = 2
[parameters]
"behaviour.trust_loss" = { low = 0.2, high = 0.6 }
"culture.insincerity" = { low = 0.02, high = 0.39 }
"governance.mobility" = { values = ["network", "multiple-local"] }
[outputs]
municipalities = true
""",
    "lhs": """name = "lhs"
base = "steering.toml"
years = 1
replicates = 2
master_seed = 9
[design]
kind = "latin_hypercube"
samples = 3
cross = ["governance"]
seeds = "common"
[parameters]
"arrangements.steered.monitoring" = { low = 0.0, high = 1.0 }
"culture.conversation_interval_months" = { low = 0, high = 12, integer = true }
governance = { values = ["steered", "network"] }
[outputs]
summary = ["commitment", "progress", "grip_mean"]
municipalities = ["commitment", "net_cost", "exited_themes"]
""",
    "list": """name = "listed"
base = "steering.toml"
years = 1
replicates = 2
master_seed = 4
[design]
kind = "list"
points = [
    { "governance.mobility" = "network", "behaviour.trust_loss" = 0.3 },
    { "governance.mobility" = "steered", "governance.energy" = "grd" },
]
""",
}
SWEPT = {  # the parameters of the sweeps above
    "behaviour.trust_loss",
    "culture.insincerity",
    "governance.mobility",
    "arrangements.steered.monitoring",
    "culture.conversation_interval_months",
    "governance",
    "governance.energy",
}
RUNS = {"sobol": 10, "lhs": 12, "list": 4}


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("sweeps")
    shutil.copy(SWEEPS / "steering.toml", base / "steering.toml")
    out = {}
    for name, text in SPECS.items():
        (base / f"{name}.toml").write_text(text)
        folder = base / name
        argv = ["sweep", str(base / f"{name}.toml"), "--out", str(folder), "--in-process"]
        assert main([*argv, "--no-progress"]) == 0
        assert len(load_results(folder)[0]) == RUNS[name]
        out[name] = folder
    return out


def bits(value) -> bytes | str:
    """A value as the bits it is stored in (text as itself)."""
    return value if isinstance(value, str) else struct.pack("<d", float(value))


def rerun(folder: Path, run_id: int, out: Path, *more: str) -> int:
    return main(["rerun", str(folder), str(run_id), "--out", str(out), *more])


SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(data=st.data())
def test_any_run_is_reproduced_bit_for_bit(sweeps, data, capsys):
    name = data.draw(st.sampled_from(list(sweeps)), label="sweep")
    run_id = data.draw(st.integers(0, RUNS[name] - 1), label="run")
    folder = sweeps[name]
    out = Path(tempfile.mkdtemp()) / "rerun"
    assert rerun(folder, run_id, out) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith(f"Run {run_id} of the sweep {folder} is reproduced bit for bit")
    runs, _ = load_results(folder)
    row = runs[runs["run_id"] == run_id].iloc[0]
    summary = pd.read_parquet(out / "summary.parquet").iloc[0]
    kept = [c for c in runs.columns if c in summary.index and c not in ("seed", "scenario")]
    assert len(kept) >= 3
    assert [bits(summary[c]) for c in kept] == [bits(row[c]) for c in kept]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == row["seed"] and manifest["rerun_of"]["reproduced"] is True
    check = pd.read_csv(out / "check.csv")
    assert check["same"].all()
    if name != "list":  # the per-municipality rows were checked too
        local = load_municipalities(folder)
        mine = local[local["run_id"] == run_id].drop(columns="run_id").reset_index(drop=True)
        theirs = pd.read_parquet(out / "municipalities.parquet")[list(mine.columns)]
        pd.testing.assert_frame_equal(mine, theirs, check_exact=True)
        assert len(check) == len(kept) + 7 * (len(mine.columns) - 1)
    scenario = load_scenario(str(out / "scenario.toml"))  # the parameters are in the file
    params = [c for c in runs.columns if c in SWEPT and pd.notna(row[c])]
    assert params
    for path in params:
        value = lookup(scenario.model_dump(mode="json"), path)  # a table set whole, or a value
        assert set(value.values()) == {row[path]} if isinstance(value, dict) else value == row[path]
    shutil.rmtree(out.parent)


@pytest.mark.parametrize("name", list(SPECS))
def test_the_scenario_file_runs_to_the_same_result_with_samenspel_run(sweeps, name, tmp_path):
    run_id = RUNS[name] - 1
    assert rerun(sweeps[name], run_id, tmp_path / "rerun") == 0
    seed = json.loads((tmp_path / "rerun" / "manifest.json").read_text())["seed"]
    scenario = tmp_path / "rerun" / "scenario.toml"
    argv = ["run", "--scenario", str(scenario), "--seed", str(seed), "--out", str(tmp_path / "r")]
    assert main(argv) == 0
    for table in ("summary", "municipalities", "timeseries", "events"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "r" / f"{table}.parquet"),
            pd.read_parquet(tmp_path / "rerun" / f"{table}.parquet"),
            check_exact=True,
        )
    assert (tmp_path / "r" / "scenario.toml").read_bytes() == scenario.read_bytes()


def test_compare_whatif_and_animate_take_two_reruns_of_one_sweep(sweeps, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert rerun(sweeps["list"], 0, a) == 0 and rerun(sweeps["list"], 2, b) == 0
    files = f"{a}/scenario.toml,{b}/scenario.toml"
    quick = ["--replicates", "2", "--worlds", "0", "--workers", "1", "--no-progress"]
    assert main(["compare", "--scenarios", files, *quick, "--out", str(tmp_path / "c")]) == 0
    argv = ["whatif", f"{a}/scenario.toml", "--base", f"{b}/scenario.toml", *quick]
    assert main([*argv, "--out", str(tmp_path / "w")]) == 0
    assert main(["animate", f"{a}/scenario.toml", "--out", str(tmp_path / "a.html")]) == 0
    runs = pd.read_parquet(tmp_path / "c" / "runs.parquet")
    assert set(runs["scenario"]) == {"listed-run0", "listed-run2"}


# --- a row the rerun does not reproduce --------------------------------------------------------


def rewrite_part(folder: Path, sub: str, run_id: int, change) -> None:
    """Change the recorded part that holds run `run_id` as another samenspel would have written
    it, and its ledger line with it, so the folder is whole (as if the sweep had been made so)."""
    ledger = folder / "written.log"
    lines = [json.loads(line) for line in ledger.read_text().splitlines()]
    part = next(
        p for p in (folder / sub).glob("part-*") if run_id in set(pd.read_parquet(p)["run_id"])
    )
    table = pd.read_parquet(part)
    change(table, table["run_id"] == run_id)
    table.to_parquet(part, index=False)
    size, sha = file_digest(part)
    for entry in lines:
        if entry.get("path") == f"{sub}/{part.name}":
            entry.update(size=size, sha256=sha)
    ledger.write_text("".join(json.dumps(e) + "\n" for e in lines))


def test_a_value_that_differs_is_named_exit_1(sweeps, tmp_path, capsys):
    folder = tmp_path / "sweep"
    shutil.copytree(sweeps["lhs"], folder)

    def last_bit(table: pd.DataFrame, run: pd.Series) -> None:  # one value, by its last bit
        table.loc[run, "grip_mean"] = np.nextafter(table.loc[run, "grip_mean"], np.inf)

    def one_municipality(table: pd.DataFrame, run: pd.Series) -> None:
        table.loc[table.index[run][3], "net_cost"] = 1.5

    rewrite_part(folder, "runs", 0, last_bit)
    rewrite_part(folder, "municipalities", 1, one_municipality)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "samenspel": "0.0.1"}))
    assert rerun(folder, 0, tmp_path / "r") == 1
    said = capsys.readouterr().out
    assert said.startswith(f"Run 0 of the sweep {folder} is NOT reproduced: 1 of the 24 values")
    assert said.splitlines()[1].startswith("  grip_mean: sweep ")
    assert "samenspel 0.0.1 ->" in said
    check = pd.read_csv(tmp_path / "r" / "check.csv")
    assert check.loc[~check["same"], "outcome"].tolist() == ["grip_mean"]
    assert rerun(folder, 1, tmp_path / "nl", "--lang", "nl") == 1  # run 1: a municipality's row
    said = capsys.readouterr().out
    assert said.startswith(f"Simulatie 1 van de sweep {folder} is NIET gereproduceerd: 1 van de 24")
    assert "  net_cost van " in said and ": sweep 1.5, opnieuw " in said
    assert rerun(folder, 2, tmp_path / "two") == 0  # the other runs are as they were


# --- refused: one line, exit 2, nothing written ------------------------------------------------


def _not_a_sweep(sweeps, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder, 0, "is not a sweep's folder"


def _a_run_result(sweeps, tmp_path):
    assert main(["run", "--years", "1", "--out", str(tmp_path / "run")]) == 0
    return tmp_path / "run", 0, "is not a sweep's folder"


def _unknown(sweeps, tmp_path):
    return sweeps["list"], 4, "has no run 4; its runs are 0 to 3"


def _not_done(sweeps, tmp_path):
    folder = tmp_path / "sweep"
    shutil.copytree(sweeps["list"], folder)
    part = sorted((folder / "runs").glob("part-*"))[-1]
    run_id = int(pd.read_parquet(part)["run_id"].iloc[0])
    part.unlink()
    return folder, run_id, "is not done yet"


def _failed(sweeps, tmp_path):
    folder = tmp_path / "sweep"
    shutil.copytree(sweeps["list"], folder)

    def fail(table: pd.DataFrame, run: pd.Series) -> None:
        table.loc[run, "status"] = "failed"
        table.loc[run, "error"] = "ValueError: it went wrong"

    rewrite_part(folder, "runs", 0, fail)
    return folder, 0, "failed in the sweep, so there is no result to reproduce: ValueError"


def _damaged(sweeps, tmp_path):
    folder = tmp_path / "sweep"
    shutil.copytree(sweeps["lhs"], folder)
    part = sorted((folder / "municipalities").glob("part-*"))[0]
    part.write_bytes(part.read_bytes()[:-9])
    return folder, 0, f"is damaged (municipalities/{part.name}: changed since"


def _base_changed(sweeps, tmp_path):
    """base.toml edited and recorded as the sweep's (a samenspel whose scenario fields read it
    otherwise would see the same): it no longer gives the base the sweep ran."""
    folder = tmp_path / "sweep"
    shutil.copytree(sweeps["lhs"], folder)
    base = folder / "base.toml"
    base.write_text(base.read_text().replace("sanction = 0.5", "sanction = 0.6"))
    manifest = json.loads((folder / "manifest.json").read_text())
    size, sha = file_digest(base)
    manifest["files"]["base.toml"] = {"size": size, "sha256": sha}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder, 0, "cannot be rebuilt exactly"


REFUSALS = {
    "not a sweep": _not_a_sweep,
    "a run's result": _a_run_result,
    "unknown run": _unknown,
    "not done": _not_done,
    "failed": _failed,
    "damaged": _damaged,
    "base changed": _base_changed,
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_what_cannot_be_rerun_is_refused_in_one_line(sweeps, tmp_path, capsys, case):
    folder, run_id, words = REFUSALS[case](sweeps, tmp_path)
    capsys.readouterr()
    out = tmp_path / "out"
    assert rerun(folder, run_id, out) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("samenspel: error: rerun: "), err
    assert words in err
    assert not out.exists()


def test_refusals_are_said_in_dutch(sweeps, tmp_path, capsys):
    assert rerun(sweeps["list"], 9, tmp_path / "out", "--lang", "nl") == 2
    assert (
        "heeft geen simulatie 9; de simulaties zijn genummerd 0 tot en met 3"
        in capsys.readouterr().err
    )


def test_a_folder_samenspel_did_not_write_is_never_written_into(sweeps, tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    assert rerun(sweeps["list"], 0, mine) == 2
    assert "samenspel: error:" in capsys.readouterr().err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_the_readme_recipe_runs_on_the_bundled_spec(tmp_path, capsys, monkeypatch):
    """The README's commands, in a fresh folder: the sweep, the rerun of run 7 reproduced, and
    `samenspel run` on its scenario file with the seed the README gives (the one rerun
    prints) to the same summary."""
    readme = (ROOT / "README.md").read_text()
    recipe = readme[readme.index("**One run again.**") :]
    commands = [
        line.split("#")[0].split()[1:]
        for line in recipe[: recipe.index("```python")].splitlines()
        if line.startswith(".venv/bin/samenspel ")
    ]
    assert [c[0] for c in commands] == ["sweep", "rerun", "run"]
    monkeypatch.chdir(tmp_path)
    sweep, again, run = commands
    sweep[1] = str(ROOT / sweep[1])
    assert main([*sweep, "--in-process", "--no-progress"]) == 0
    assert main(again) == 0
    said = capsys.readouterr().out
    assert "is reproduced bit for bit" in said and f"--seed {run[-1]}" in said
    assert main([*run, "--out", "again"]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet("again/summary.parquet"),
        pd.read_parquet("results/who-pays-run7/summary.parquet"),
        check_exact=True,
    )
    assert len(load_municipalities("results/who-pays")) == 12 * 7
