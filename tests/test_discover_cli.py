"""`samenspel discover` end to end on a small real sweep: the answer first in English and Dutch,
the files written, the same result twice; an unfinished sweep refused unless --partial; bad
arguments refused with one line (exit 2) and nothing written."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.present.cli import main
from sim.study.sweep import load_results

ROOT = Path(__file__).resolve().parent.parent
SPEC = """name = "d"
base = "base.toml"
years = 3
replicates = 2
master_seed = 5
[design]
kind = "latin_hypercube"
samples = 12
cross = ["governance.mobility"]
[parameters]
"governance.mobility" = { values = ["network", "steered"] }
"arrangements.steered.monitoring" = { low = 0.0, high = 1.0 }
"behaviour.trust_loss" = { low = 0.1, high = 0.9 }
[outputs]
summary = ["commitment", "progress", "service_cost_per_inhabitant", "adopted"]
"""
BEATS = ["--outcome", "commitment", "--beats", "network", "--over", "steered"]
BEATS += ["--factor", "governance.mobility"]
FILES = {"boxes.csv", "trajectory.csv", "worlds.csv", "manifest.json", "discover.html"}


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> Path:
    """A finished sweep of 48 runs: 12 worlds of monitoring and trust loss, each run with two
    arrangements on the same two seeds."""
    base = tmp_path_factory.mktemp("discover")
    shutil.copy(ROOT / "experiments" / "sweeps" / "steering.toml", base / "base.toml")
    (base / "spec.toml").write_text(SPEC)
    out = base / "sweep"
    args = ["sweep", str(base / "spec.toml"), "--out", str(out), "--in-process", "--no-progress"]
    assert main(args) == 0
    return out


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    got = capsys.readouterr()
    return code, got.out, got.err


def test_network_against_steered_in_dutch(swept, tmp_path, capsys):
    out = tmp_path / "nl"
    code, printed, err = run(
        ["discover", str(swept), *BEATS, "--lang", "nl", "--out", str(out)], capsys
    )
    assert code == 0, err
    first = printed.splitlines()[0]
    assert (
        first.startswith("Network doet het beter dan steered op nakoming") and "werelden" in first
    )
    assert (
        "Onderbouwing" in printed and "dekking" in printed and "gepaard, seed voor seed" in printed
    )
    assert FILES | {"discover.txt"} <= {p.name for p in out.iterdir()}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["question"]["kind"] == "beats" and manifest["worlds"] == 12
    assert manifest["seeds_shared"] is True  # design.cross: both levels on the same seeds
    worlds = pd.read_csv(out / "worlds.csv")
    assert len(worlds) == 12 and {"network", "steered", "difference", "case"} <= set(worlds.columns)
    assert (worlds["case"] == (worlds["difference"] > 0)).all()  # commitment: higher is better
    page = (out / "discover.html").read_text()
    assert "<script src=" not in page and 'lang="nl"' in page


def test_a_threshold_in_english_twice_gives_the_same_files(swept, tmp_path, capsys):
    runs, _ = load_results(swept)
    threshold = f"{runs['commitment'].median():.4f}"
    outs = []
    for name in ("one", "two"):
        out = tmp_path / name
        args = ["discover", str(swept), "--outcome", "commitment", "--below", threshold]
        code, printed, err = run([*args, "--out", str(out)], capsys)
        assert code == 0, err
        assert printed.startswith("Commitment (paid / pledged) is below ")
        assert " of the 24 worlds." in printed.splitlines()[0] and "Evidence" in printed
        outs.append(out)
    for f in ("boxes.csv", "trajectory.csv", "worlds.csv", "discover.txt"):
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes(), f
    boxes = pd.read_csv(outs[0] / "boxes.csv")
    trajectory = pd.read_csv(outs[0] / "trajectory.csv")
    assert trajectory["chosen"].sum() == 1
    assert set(boxes["box"]) <= set(trajectory["box"])


def test_cart_writes_its_leaves(swept, tmp_path, capsys):
    out = tmp_path / "cart"
    code, printed, err = run(
        ["discover", str(swept), *BEATS, "--method", "cart", "--out", str(out)], capsys
    )
    assert code == 0, err
    assert "CART" in printed and {p.name for p in out.iterdir()} >= FILES
    assert json.loads((out / "manifest.json").read_text())["method"] == "cart"


def test_the_default_folder_is_beside_the_sweep_and_kept(swept, tmp_path, capsys):
    copy = tmp_path / "sw"
    shutil.copytree(swept, copy)
    for expected in ("sw-discover", "sw-discover-2"):
        code, _, err = run(["discover", str(copy), *BEATS], capsys)
        assert code == 0, err
        assert (tmp_path / expected / "discover.html").exists()


def test_an_unfinished_sweep_waits_unless_partial(swept, tmp_path, capsys):
    folder = tmp_path / "sweep"
    shutil.copytree(swept, folder)
    sorted((folder / "runs").glob("part-*"))[0].unlink()  # as if its batch never ran
    code, _, err = run(["discover", str(folder), *BEATS, "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "of its 48 runs are finished" in err and "--partial" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()
    code, _, err = run(
        ["discover", str(folder), *BEATS, "--out", str(tmp_path / "o"), "--partial"], capsys
    )
    assert code == 0 and "(--partial)" in err and (tmp_path / "o" / "discover.html").exists()


BAD = [
    (["--outcome", "commitment"], "ask one question"),
    (["--outcome", "commitment", "--below", "0.5", "--above", "0.6"], "ask one question"),
    (["--below", "0.5"], "--outcome"),
    (["--outcome", "commitment", "--below", "half"], "must be a number"),
    (["--outcome", "commitment", "--below", "nan"], "must be a number"),
    (["--outcome", "commitment", "--beats", "network"], "--over B"),
    (["--outcome", "commitment", "--below", "0.5", "--over", "x"], "belong to --beats"),
    (
        ["--outcome", "commitment", "--beats", "steered", "--over", "steered", "--factor", "x"],
        "two different levels",
    ),
    (["--outcome", "nonsense", "--below", "0.5"], "not an outcome of this sweep"),
    (
        [*BEATS[:4], "--over", "steered", "--factor", "culture.insincerity"],
        "not a parameter of this sweep",
    ),
    (
        [
            "--outcome",
            "commitment",
            "--beats",
            "grd",
            "--over",
            "steered",
            "--factor",
            "governance.mobility",
        ],
        "not a level of governance.mobility",
    ),
    (
        [
            "--outcome",
            "adopted",
            "--beats",
            "network",
            "--over",
            "steered",
            "--factor",
            "governance.mobility",
        ],
        "no better direction",
    ),
    ([*BEATS, "--method", "cart", "--coverage", "0.6"], "--coverage"),
    ([*BEATS, "--coverage", "1.5"], "must be a number"),
    (["--outcome", "commitment", "--below", "-5"], "the answer is no in all 24 worlds"),
]


@pytest.mark.parametrize(("argv", "says"), BAD)
def test_bad_arguments_exit_2_with_one_line_and_write_nothing(swept, tmp_path, capsys, argv, says):
    out = tmp_path / "o"
    code, printed, err = run(["discover", str(swept), *argv, "--out", str(out)], capsys)
    assert code == 2 and printed == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("samenspel: error: ") and says in lines[0]
    assert not out.exists()


def test_a_refusal_in_dutch(swept, tmp_path, capsys):
    code, _, err = run(["discover", str(swept), "--outcome", "commitment", "--lang", "nl"], capsys)
    assert code == 2 and "stel één vraag" in err


def test_the_output_is_never_inside_the_sweep(swept, capsys):
    code, _, err = run(["discover", str(swept), *BEATS, "--out", str(swept / "d")], capsys)
    assert code == 2 and "beside the sweep" in err and not (swept / "d").exists()


def test_a_folder_that_is_not_a_sweep(tmp_path, capsys):
    code, _, err = run(["discover", str(tmp_path), *BEATS], capsys)
    assert code == 2 and "not a sweep" in err


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")


def test_the_bundled_example_runs_each_world_with_both_arrangements_on_the_same_seeds():
    from sim.study.experiment import load_spec

    spec = load_spec(ROOT / "experiments" / "sweeps" / "discover-example.toml")
    assert spec.run_count() == 800 and spec.design.cross == ["governance.mobility"]
    seeds: dict[tuple, dict[str, int]] = {}
    for _, point, seed, values in spec.runs():
        world = tuple(v for k, v in sorted(values.items()) if k != "governance.mobility")
        seeds.setdefault((world, seed), {})[values["governance.mobility"]] = point
    assert len(seeds) == 400 and all(len(levels) == 2 for levels in seeds.values())


@pytest.mark.slow
def test_the_readme_recipe_runs_as_written_and_prints_what_it_quotes(tmp_path):
    readme = (ROOT / "README.md").read_text()
    start = readme.index("### Scenario discovery")
    end = re.compile(r"\n##+ ").search(readme, start + 1)
    section = readme[start : end.start() if end else None]
    commands, quoted = (m.group(1) for m in re.finditer(r"```(?:sh)?\n(.*?)```", section, re.S))
    (tmp_path / "experiments").symlink_to(ROOT / "experiments", target_is_directory=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    printed = []
    for line in commands.splitlines():
        argv = shlex.split(line.split("  #")[0])
        assert argv[0] == ".venv/bin/samenspel", line
        done = subprocess.run(
            [sys.executable, "-m", "sim.present.cli", *argv[1:]],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0 and "Traceback" not in done.stderr, f"{line}\n{done.stderr}"
        printed.append(done.stdout)
    assert printed[1].startswith(quoted)  # the README quotes what the command prints
    assert "geschreven naar" in printed[2] and "CART" in printed[3]
    assert (tmp_path / "results" / "discover-example-discover" / "discover.html").is_file()
