"""A sweep's per-municipality table (`[outputs] municipalities = true` or a list of columns):
one row per run and municipality, the very rows a single run writes, streamed in parts that
are checked, repaired and resumed like the runs themselves; a spec without the option keeps
the digest it had, so sweeps made before it stay valid."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import load_municipalities, load_results, load_spec, simulate
from sim.io.journal import file_digest
from sim.model.config import ConfigError, scenario_from_dict
from sim.present.cli import main
from sim.study.experiment import apply, base_scenario
from sim.study.sweepcheck import SweepDamaged, verify
from tests.conftest import ROOT
from tests.test_damaged_sweeps import apply as damage_it
from tests.test_damaged_sweeps import damage, snapshot

SWEEPS = ROOT / "experiments" / "sweeps"
REGION = 7  # the Drechtsteden's municipalities

SPEC = """name = "local"
base = "base.toml"
years = 1
replicates = {replicates}
master_seed = 11

[design]
kind = "{kind}"
{design}

[parameters]
"behaviour.trust_loss" = {{ low = 0.1, high = 0.6 }}
"arrangements.steered.monitoring" = {{ low = 0.0, high = 1.0 }}

[outputs]
summary = ["commitment", "progress"]
series = ["commitment_cum"]
series_every = 6
{municipalities}
"""


def write_spec(
    folder: Path,
    municipalities: str = "municipalities = true",
    kind: str = "latin_hypercube",
    design: str = "samples = 5",
    replicates: int = 2,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SWEEPS / "steering.toml", folder / "base.toml")
    path = folder / "spec.toml"
    path.write_text(
        SPEC.format(kind=kind, design=design, replicates=replicates, municipalities=municipalities)
    )
    return path


def swept(folder: Path, spec: Path, *more: str) -> int:
    return main(["sweep", str(spec), "--out", str(folder), "--in-process", "--no-progress", *more])


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> tuple[Path, Path]:
    """A finished sweep of 10 runs (a Latin hypercube of 5 points, 2 replicates) in several
    batches, keeping every per-municipality column."""
    base = tmp_path_factory.mktemp("whole")
    spec = write_spec(base)
    out = base / "sweep"
    assert swept(out, spec) == 0
    assert len(list((out / "municipalities").glob("part-*"))) >= 3
    return spec, out


def single_runs(spec_path: Path) -> pd.DataFrame:
    """Each run of the design run on its own, as `samenspel run` would: its per-municipality
    table, with its run id."""
    spec = load_spec(spec_path)
    base = base_scenario(spec)
    tables = []
    for run_id, _, seed, params in spec.runs():
        table = simulate(scenario_from_dict(apply(base, params)), seed).municipalities
        tables.append(table.drop(columns=["scenario", "seed"]).assign(run_id=run_id))
    out = pd.concat(tables, ignore_index=True)
    return out[["run_id", *[c for c in out.columns if c != "run_id"]]]


def test_one_row_per_run_and_municipality_as_a_single_run_writes_them(whole):
    spec, out = whole
    local = load_municipalities(out)
    runs, _ = load_results(out)
    assert len(local) == len(runs) * REGION == 10 * REGION
    assert (local.groupby("run_id").size() == REGION).all()
    pd.testing.assert_frame_equal(local, single_runs(spec), check_exact=True)


def test_listed_columns_are_the_ones_kept(tmp_path):
    spec = write_spec(tmp_path, 'municipalities = ["net_cost", "commitment", "exited_themes"]')
    assert swept(tmp_path / "out", spec) == 0
    local = load_municipalities(tmp_path / "out")
    listed = ["net_cost", "commitment", "exited_themes"]
    assert list(local.columns) == ["run_id", "municipality", *listed]
    expected = single_runs(spec)[list(local.columns)]
    pd.testing.assert_frame_equal(local, expected, check_exact=True)


def test_an_unknown_column_is_refused_with_a_guess(tmp_path, capsys):
    spec = write_spec(tmp_path, 'municipalities = ["net_cots"]')
    assert swept(tmp_path / "out", spec) == 2
    err = capsys.readouterr().err
    assert "outputs.municipalities" in err and "'net_cost'" in err
    assert not (tmp_path / "out").exists()


def test_a_sweep_without_the_option_keeps_no_table_and_says_so(tmp_path):
    spec = write_spec(tmp_path, "")
    assert swept(tmp_path / "out", spec) == 0
    assert not (tmp_path / "out" / "municipalities").exists()
    with pytest.raises(ConfigError, match="municipalities = true"):
        load_municipalities(tmp_path / "out")


# The digests of the bundled specs as samenspel computed them before the option existed (commit
# 736183f): a sweep folder records its spec's digest, and --resume and rerun check it.
DIGESTS = {
    "trust-and-monitoring": "5579c8507181d39a",
    "benchmark-1000": "728bc15c72b2d6a0",
    "culture-levers": "af785f92461fad89",
}


@pytest.mark.parametrize("name", list(DIGESTS))
def test_the_digest_changes_only_when_the_option_is_set(name, tmp_path):
    text = (SWEEPS / f"{name}.toml").read_text()
    assert load_spec(SWEEPS / f"{name}.toml").digest() == DIGESTS[name]
    shutil.copy(SWEEPS / "steering.toml", tmp_path / "steering.toml")
    digests = {}
    for option in ("false", "true", '["net_cost"]'):
        path = tmp_path / f"{option[:5].strip('[')}.toml"
        path.write_text(text.replace("[outputs]", f"[outputs]\nmunicipalities = {option}"))
        digests[option] = load_spec(path).digest()
    assert digests["false"] == DIGESTS[name]
    assert len({DIGESTS[name], digests["true"], digests['["net_cost"]']}) == 3


# --- resumed, repaired, refused ----------------------------------------------------------------


def recorded_parts(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for sub in ("runs", "series", "municipalities")
        for p in (folder / sub).glob("part-*.parquet")
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_parts_removed_are_run_again_and_resume_is_bit_identical(whole, data):
    """Any recorded parts removed by hand (of the runs, the series or the per-municipality
    table): verify names each as a repair, and --resume runs their batches again, to exactly
    the tables of the sweep that was never touched."""
    spec, made = whole
    folder = Path(tempfile.mkdtemp()) / "sweep"
    shutil.copytree(made, folder)
    parts = recorded_parts(folder)
    gone = data.draw(st.lists(st.sampled_from(parts), min_size=1, max_size=4, unique=True))
    for part in gone:
        (folder / part).unlink()
    check = verify(folder)
    assert not check.damage
    assert {r.split(":")[0] for r in check.repairs} >= set(gone)
    assert swept(folder, spec, "--resume") == 0
    runs, series = load_results(folder)
    whole_runs, whole_series = load_results(made)
    pd.testing.assert_frame_equal(
        runs.drop(columns="duration"), whole_runs.drop(columns="duration"), check_exact=True
    )
    pd.testing.assert_frame_equal(series, whole_series, check_exact=True)
    pd.testing.assert_frame_equal(
        load_municipalities(folder), load_municipalities(made), check_exact=True
    )
    assert not verify(folder).repairs  # the ledger says what is there
    shutil.rmtree(folder.parent)


def test_a_missing_part_leaves_its_batch_unread_until_resumed(whole, tmp_path, capsys):
    """A per-municipality part removed: its batch is not done, so analyze waits for it, and
    load_results and load_municipalities read neither its runs nor its rows."""
    _spec, made = whole
    folder = tmp_path / "sweep"
    shutil.copytree(made, folder)
    part = sorted((folder / "municipalities").glob("part-*"))[0]
    held = set(pd.read_parquet(part)["run_id"])
    part.unlink()
    runs, _ = load_results(folder)
    assert held and not held & set(runs["run_id"]) and len(runs) == 10 - len(held)
    local = load_municipalities(folder)
    assert set(local["run_id"]) == set(runs["run_id"])
    assert main(["analyze", str(folder)]) == 2
    assert "--partial" in capsys.readouterr().err


def test_a_changed_part_is_damage_named_and_nothing_changes(whole, tmp_path, capsys):
    spec, made = whole
    folder = tmp_path / "sweep"
    shutil.copytree(made, folder)
    part = sorted((folder / "municipalities").glob("part-*"))[1]
    table = pd.read_parquet(part)
    table.loc[0, "net_cost"] += 1.0
    table.to_parquet(part, index=False)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.name[0] != "."}
    assert swept(folder, spec, "--resume") == 2
    err = capsys.readouterr().err
    assert f"municipalities/{part.name}: changed since" in err
    assert {p: p.read_bytes() for p in before} == before
    with pytest.raises(SweepDamaged, match=part.name):
        load_municipalities(folder)


def test_a_part_the_ledger_does_not_hold_is_left_alone_and_not_read(whole, tmp_path, capsys):
    spec, made = whole
    folder = tmp_path / "sweep"
    shutil.copytree(made, folder)
    part = sorted((folder / "municipalities").glob("part-*"))[0]
    stray = part.with_name("part-copy.parquet")
    shutil.copy(part, stray)
    assert swept(folder, spec, "--resume") == 0
    assert "municipalities/part-copy.parquet" in capsys.readouterr().err
    assert stray.read_bytes() == part.read_bytes()
    pd.testing.assert_frame_equal(
        load_municipalities(folder), load_municipalities(made), check_exact=True
    )


def test_a_ledger_line_naming_a_folder_of_no_part_is_damage(whole, tmp_path):
    """Only the sweep's folders of parts are read: a ledger line naming another is refused."""
    _spec, made = whole
    folder = tmp_path / "sweep"
    shutil.copytree(made, folder)
    (folder / "notes").mkdir()
    (folder / "notes" / "a.parquet").write_bytes(b"mine")
    size, sha = file_digest(folder / "notes" / "a.parquet")
    with open(folder / "written.log", "a") as ledger:
        ledger.write(f'{{"path": "notes/a.parquet", "size": {size}, "sha256": "{sha}"}}\n')
    assert any("notes/a.parquet" in d for d in verify(folder).damage)
    assert hashlib.sha256((folder / "notes" / "a.parquet").read_bytes()).hexdigest() == sha


@pytest.mark.slow  # a process of its own per kill
def test_a_kill_at_each_step_of_a_batch_resumes_bit_identically(whole, tmp_path):
    """Killed before each write of a batch's commit (the ledger's notes, each part's rename,
    the status lines), `--resume` completes the sweep to exactly the tables of the sweep that
    was never interrupted, the per-municipality table included."""
    from tests.conftest import crash_points, crashing, samenspel

    _spec, made = whole
    args = ["sweep", "spec.toml", "--out", "out", "--in-process", "--no-progress"]
    write_spec(tmp_path / "trace")
    points = crash_points(args, tmp_path / "trace")
    logs = [k for k, p in enumerate(points, 1) if p == "open out/status.log"]
    batch = range(logs[0] + 1, logs[1] + 1)  # the second batch's writes, its status lines last
    assert any("municipalities/" in points[k - 1] for k in batch)
    for k in batch:
        folder = tmp_path / f"kill-{k}"
        write_spec(folder)
        assert crashing(args, folder, "--die", str(k)).returncode == 137
        resumed = samenspel([*args, "--resume"], folder)
        assert resumed.returncode == 0, resumed.stderr
        out = folder / "out"
        pd.testing.assert_frame_equal(
            load_municipalities(out), load_municipalities(made), check_exact=True
        )
        runs, _ = load_results(out)
        assert runs["run_id"].tolist() == list(range(10))
        assert not [p for p in out.rglob(".*") if p.name != ".samenspel.lock"]


@pytest.mark.slow  # whole commands, many examples
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_damage_is_repaired_exactly_or_refused_untouched(whole, data, capsys):
    """tests/test_damaged_sweeps.py's damage (files truncated, corrupted, deleted, turned into
    folders, garbage lines, strays, copied parts, an edited spec), on a sweep that keeps the
    per-municipality table: --resume ends with exactly the undamaged tables, or refuses with
    exit 2 and changes nothing."""
    spec, made = whole
    folder = Path(tempfile.mkdtemp()) / "sweep"
    shutil.copytree(made, folder)
    damage_it(folder, data.draw(damage(made)))
    before = snapshot(folder)
    code = swept(folder, spec, "--resume")
    err = capsys.readouterr().err
    assert code in (0, 2) and "Traceback" not in err, err
    if code == 2:
        assert err.count("samenspel: error:") == 1 and snapshot(folder) == before
    else:
        pd.testing.assert_frame_equal(
            load_municipalities(folder), load_municipalities(made), check_exact=True
        )
        runs, _ = load_results(folder)
        assert runs["run_id"].tolist() == list(range(10))
    shutil.rmtree(folder.parent)
