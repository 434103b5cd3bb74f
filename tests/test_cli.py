"""The command line, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.present.cli import main
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own


def test_run_writes_series_summary_and_resolved_scenario(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", "--seed", "3", "--years", "4", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "commitment" in printed and "free-riding" in printed
    names = {p.name for p in out.iterdir()}
    for table in ("timeseries", "summary", "municipalities"):
        assert {f"{table}.parquet", f"{table}.csv"} <= names
    assert {"scenario.toml", "manifest.json"} <= names
    series = pd.read_parquet(out / "timeseries.parquet")
    assert len(series) == 48 and series["seed"].eq(3).all()
    assert pd.read_csv(out / "timeseries.csv").shape == series.shape
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no temporary leftovers

    # The written scenario is complete: running it again gives the same results.
    again = tmp_path / "again"
    assert (
        main(["run", "--scenario", str(out / "scenario.toml"), "--seed", "3", "--out", str(again)])
        == 0
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(again / "timeseries.parquet"), series, check_exact=True
    )


BAD = {
    "unknown key": ('name = "x"\nfoo = 1\n[governance]\nmobility = "multiple-local"\n', "foo"),
    "out of range": (
        'name = "x"\n[governance]\nmobility = "multiple-local"\n[behaviour]\ntrust_loss = 2\n',
        "behaviour.trust_loss",
    ),
    "wrong type": (
        'name = "x"\nyears = "ten"\n[governance]\nmobility = "multiple-local"\n',
        "years",
    ),
    "unknown theme": ('name = "x"\n[governance]\nparking = "multiple-local"\n', "parking"),
    "unknown arrangement": ('name = "x"\n[governance]\nmobility = "anarchy"\n', "anarchy"),
    "nested unknown key": (
        'name = "x"\n[governance]\nmobility = "multiple-local"\n[[shocks]]\nmonth = 1\n'
        "cut = 0.1\nsize = 3\n",
        "shocks.0.size",
    ),
    "not toml": ('name = "x\n', "not valid TOML"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_scenario_names_the_field_exits_2_and_writes_nothing(case, tmp_path, capsys):
    text, field = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["run", "--scenario", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert field in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.toml"]


def test_unknown_preset_lists_the_presets(capsys):
    assert main(["run", "--scenario", "no-such-thing"]) == 2
    assert "multiple-local" in capsys.readouterr().err


def test_console_script_exit_status(tmp_path: Path):
    exe = Path(sys.executable).with_name("samenspel")
    bad = subprocess.run(
        [str(exe), "run", "--years", "0", "--out", str(tmp_path / "o")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "years" in bad.stderr
    assert not (tmp_path / "o").exists()
    usage = subprocess.run([str(exe), "run", "--seed", "x"], capture_output=True, text=True)
    assert usage.returncode == 2 and "--seed" in usage.stderr
