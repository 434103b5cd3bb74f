"""Data safety: samenspel never writes into, replaces or deletes what it did not write, every
replace survives a kill at any point, and every bad input is exit 2 with one clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.io.store import is_result
from sim.present.cli import main
from tests.conftest import crash_points, crashing, samenspel

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

SCENARIO = 'name = "mine"\nyears = 1\n[governance]\nmobility = "network"\n'


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its contents (to prove nothing changed)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --- 1. nothing samenspel did not write is deleted or replaced ---------------------------------


@pytest.fixture
def user_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "res"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"two years of work")
    (folder / "data").mkdir()
    (folder / "data" / "survey.csv").write_text("a,b\n1,2\n")
    return folder


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_folder_of_user_files_is_never_written_into_or_replaced(
    command, force, user_folder, capsys
):
    before = snapshot(user_folder)
    argv = [command, "--years", "1", "--out", str(user_folder)]
    if command == "compare":
        argv += ["--scenarios", "grd", "--replicates", "2", "--workers", "1"]
    argv += ["--force"] if force else []
    code, _, err = run_cli(argv, capsys)
    assert code == 2
    assert "did not write" in err and "thesis.docx" in err and "Traceback" not in err
    assert snapshot(user_folder) == before
    assert sorted(p.name for p in user_folder.parent.iterdir()) == ["res"]


def test_the_scenario_file_is_safe_from_its_own_output(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "myexp").mkdir()
    (tmp_path / "myexp" / "mine.toml").write_text(SCENARIO)
    code, _, err = run_cli(["run", "--scenario", "myexp/mine.toml", "--out", "myexp"], capsys)
    assert code == 2 and "mine.toml" in err
    assert (tmp_path / "myexp" / "mine.toml").read_text() == SCENARIO


def test_the_results_folder_itself_is_not_a_result(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli(["run", "--years", "1"], capsys)[0] == 0
    (tmp_path / "results" / "README.md").write_text("mine")
    before = snapshot(tmp_path / "results")
    code, _, err = run_cli(["run", "--years", "1", "--out", "results", "--force"], capsys)
    assert code == 2 and "README.md" in err
    assert snapshot(tmp_path / "results") == before


@pytest.mark.parametrize("force", [False, True])
def test_a_file_is_never_turned_into_a_folder(tmp_path, capsys, force):
    target = tmp_path / "notes.txt"
    target.write_text("keep me")
    code, _, err = run_cli(
        ["run", "--years", "1", "--out", str(target), *(["--force"] if force else [])], capsys
    )
    assert code == 2 and "is a file" in err
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("name", ["../../x", "/tmp/abs", "a/b", "..", ".hidden", "", "x" * 101])
def test_a_scenario_name_cannot_steer_a_write(name, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(SCENARIO.replace('"mine"', repr(name).replace("'", '"')))
    code, _, err = run_cli(["run", "--scenario", "s.toml"], capsys)
    assert code == 2 and "name" in err and "letters, digits" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


def test_a_default_output_never_replaces_an_earlier_result(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli(["run", "--years", "1", "--seed", "1"], capsys)[0] == 0
    first = tmp_path / "results" / "multiple-local-status-quo-seed1"
    before = snapshot(first)
    code, out, _ = run_cli(["run", "--years", "2", "--seed", "1"], capsys)
    second = first.with_name(first.name + "-2")
    assert code == 0 and f"written to {Path('results') / second.name}/" in out
    assert "--force" in out  # says how to replace instead
    assert snapshot(first) == before
    assert len(pd.read_parquet(second / "timeseries.parquet")) == 24


def test_replacing_an_earlier_result_needs_force_and_says_so(tmp_path, capsys):
    out = tmp_path / "r"
    assert run_cli(["run", "--years", "1", "--out", str(out)], capsys)[0] == 0
    before = snapshot(out)
    code, _, err = run_cli(["run", "--years", "2", "--out", str(out)], capsys)
    assert code == 2 and "--force" in err and "earlier samenspel result" in err
    assert snapshot(out) == before
    code, printed, _ = run_cli(["run", "--years", "2", "--out", str(out), "--force"], capsys)
    assert code == 0 and "replacing the earlier result" in printed
    assert len(pd.read_parquet(out / "timeseries.parquet")) == 24
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no leftovers


def test_compare_and_analyze_keep_earlier_results(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["compare", "--scenarios", "grd", "--replicates", "2", "--years", "1"]
    argv += ["--workers", "1"]
    assert run_cli(argv, capsys)[0] == 0
    code, out, _ = run_cli(argv, capsys)
    assert code == 0 and "results/compare-2/" in out
    assert is_result(tmp_path / "results" / "compare")
    assert is_result(tmp_path / "results" / "compare-2")


# --- crash safety: a kill at every point of a write ---------------------------------------------


REPLACE = ["run", "--years", "2", "--out", "r", "--force"]


def replace_points(template: Path, flags: tuple[str, ...]) -> int:
    """How many crash points a replace of an earlier result has (counted on a copy)."""
    count = template.with_name("count")
    shutil.copytree(template, count)
    return len(crash_points(REPLACE, count, *flags))


@pytest.mark.parametrize("flags", [(), ("--no-exchange",)], ids=["exchange", "move-aside"])
def test_a_replace_killed_at_any_point_leaves_one_whole_result(tmp_path, capsys, flags):
    """Killed before any one of the operations a replace makes (every one, in turn), the old or
    the new result is complete under its name once the next command has cleaned up what the
    killed one noted in the journal; nothing else is left beside it."""
    template = tmp_path / "template"
    template.mkdir()
    assert run_cli(["run", "--years", "1", "--out", str(template / "r")], capsys)[0] == 0
    old = snapshot(template / "r")
    points = replace_points(template, flags)
    assert points > 10  # the write, the swap and the clean-up of the old result
    for k in range(1, points + 1):
        where = tmp_path / f"at-{k}"
        shutil.copytree(template, where)
        killed = crashing(REPLACE, where, "--die", str(k), *flags)
        assert killed.returncode == 137, killed.stderr[-500:]  # the point was reached
        next_one = ["run", "--years", "1", "--out", str(where / "other")]
        assert run_cli(next_one, capsys)[0] == 0  # the next command cleans up first
        assert sorted(p.name for p in where.iterdir()) == ["other", "r"], k
        now = snapshot(where / "r")
        months = len(pd.read_parquet(where / "r" / "timeseries.parquet"))
        assert now == old or (months == 24 and is_result(where / "r")), k


# --- 2. every bad input: exit 2, one clear message, nothing written -----------------------------

BAD_FILES: dict[str, tuple[bytes, str]] = {
    "not utf-8": (b'name = "caf\xe9"\n', "not a text file in UTF-8"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file in UTF-8"),
    "not toml": (b'name = "x\n', "not valid TOML"),
    "empty": (b"", "name"),
    "years true": (b'name = "x"\nyears = true\n[governance]\nmobility = "grd"\n', "years"),
    "years float": (b'name = "x"\nyears = 10.0\n[governance]\nmobility = "grd"\n', "years"),
    "bool as string": (
        b'name = "x"\n[arrangements.a]\nbased_on = "grd"\nveto = "yes"\n'
        b'[governance]\nmobility = "a"\n',
        "arrangements.a.veto",
    ),
    "number as string": (
        b'name = "x"\n[behaviour]\ntrust_loss = "0.2"\n[governance]\nmobility = "grd"\n',
        "behaviour.trust_loss",
    ),
    "non-ascii digits": (
        'name = "x"\nregion = "synthetic:\u0663"\n[governance]\nmobility = "grd"\n'.encode(),
        "region",
    ),
    "huge synthetic": (
        b'name = "x"\nregion = "synthetic:99999999999"\n[governance]\nmobility = "grd"\n',
        "region",
    ),
    "misspelt key": (
        b'name = "x"\n[behaviour]\ntrust_los = 0.1\n[governance]\nmobility = "grd"\n',
        "did you mean 'trust_loss'",
    ),
    "not a table": (b'name = "x"\ngovernance = 3\n', "governance"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_scenario_file_is_one_clear_message(case, tmp_path, capsys):
    content, expected = BAD_FILES[case]
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    code, out, err = run_cli(["run", "--scenario", str(path), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and expected in err
    assert err.startswith("samenspel: error:") and "Traceback" not in err
    assert out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_a_folder_or_unreadable_file_as_scenario(tmp_path, capsys):
    (tmp_path / "d.toml").mkdir()
    code, _, err = run_cli(["run", "--scenario", str(tmp_path / "d.toml")], capsys)
    assert code == 2 and "is a folder" in err
    code, _, err = run_cli(["run", "--scenario", "/proc/self/mem"], capsys)  # EIO, even for root
    assert code == 2 and "cannot be read" in err


def test_a_folder_does_not_shadow_a_preset(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "grd").mkdir()
    code, out, _ = run_cli(["run", "--scenario", "grd", "--years", "1", "--out", "o"], capsys)
    assert code == 0 and "grd" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "--seed", str(2**63)], "--seed"),
        (["run", "--seed", "-1"], "--seed"),
        (["run", "--seed", "\u0663"], "--seed"),
        (["run", "--years", "0"], "--years"),
        (["compare", "--seed", str(2**63 - 1), "--replicates", "2"], "--seed"),
        (["compare", "--scenarios", ""], "--scenarios"),
        (["compare", "--scenarios", " , "], "--scenarios"),
        (["compare", "--scenarios", "grd,grd"], "grd"),
        (["compare", "--workers", "100000"], "--workers"),
        (["compare", "--replicates", "1000000000"], "--replicates"),
        (["run", "--scenario", "grdd"], "did you mean 'grd'"),
        (["run", "--lang", "de"], "--lang"),
        (["compare", "--lang", "fr", "--scenarios", "grd"], "--lang"),
        (["compare", "--presentation=yes"], "--presentation"),
        (["rules", "--lang", "nederlands"], "--lang"),
        (["arrangements", "--out", "x"], "--out"),
        (["validate", "--set", "behaviour.trust_loss=2.0", "--checks", "p1-decay"], "trust_loss"),
    ],
)
def test_bad_arguments_are_one_clear_message(argv, expected, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        code = main(argv)
    except SystemExit as usage:  # argparse's own checks
        code = usage.code
    err = capsys.readouterr().err
    assert code == 2 and expected in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["file/x", "/proc/x"])
def test_an_output_that_cannot_be_created_stops_before_running(where, tmp_path, capsys):
    (tmp_path / "file").write_text("")
    target = where if where.startswith("/") else str(tmp_path / where)
    code, _, err = run_cli(["run", "--out", target], capsys)
    assert code == 2 and "cannot create" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_sweep_or_analysis_never_writes_into_a_folder_of_user_files(user_folder, capsys):
    spec = user_folder.parent / "spec.toml"
    spec.write_text('name = "s"\nbase = "grd"\nyears = 1\n[design]\nkind = "list"\npoints = [{}]\n')
    before = snapshot(user_folder)
    for argv in (
        ["sweep", str(spec), "--out", str(user_folder), "--in-process", "--no-progress"],
        ["sweep", str(spec), "--out", str(user_folder), "--resume", "--no-progress"],
    ):
        code, _, err = run_cli(argv, capsys)
        assert code == 2 and "Traceback" not in err
        assert snapshot(user_folder) == before
    done = user_folder.parent / "done"
    assert (
        run_cli(["sweep", str(spec), "--out", str(done), "--in-process", "--no-progress"], capsys)[
            0
        ]
        == 0
    )
    code, _, err = run_cli(["analyze", str(done), "--out", str(user_folder), "--force"], capsys)
    assert code == 2 and "did not write" in err
    assert snapshot(user_folder) == before


@pytest.mark.parametrize("length", [70, 120])
def test_a_long_tmpdir_does_not_break_the_worker_pool(tmp_path, length):
    """A cluster's scratch TMPDIR can be long; the pool's sockets must still fit (107 bytes)."""
    tmp = tmp_path / "t"
    tmp = tmp / ("t" * (length - len(str(tmp)) - 1))
    tmp.mkdir(parents=True)
    args = ["compare", "--scenarios", "grd", "--replicates", "2", "--years", "1", "--out", "o"]
    done = samenspel([*args, "--workers", "2", "--no-progress"], tmp_path, TMPDIR=str(tmp))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert list(tmp.iterdir()) == []  # its temporary folder went at exit
