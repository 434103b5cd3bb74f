"""Robustness across the uncertainty (sim/study/robustness.py): regret and satisficing on tables
with known answers and their properties, what does not apply never read as a best-looking zero,
and the two ways in: over a comparison's plausible worlds (robustness.csv, the report, the
printed line) and over a sweep's worlds (`samenspel robustness`)."""

from __future__ import annotations

import json
import math
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.present.cli import main
from sim.study import robustness as rb
from sim.study import worlds
from sim.study.stats import wilson

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


def table(rows: list[list[float]], names: str = "abc") -> pd.DataFrame:
    """Worlds as rows, options as columns."""
    return pd.DataFrame(rows, columns=list(names[: len(rows[0])]), dtype=float)


# --- regret on known tables ----------------------------------------------------------------------


def test_regret_and_its_summary_on_a_table_with_known_answers():
    values = table([[1.0, 0.5, 0.9], [0.2, 0.6, 0.6], [0.4, 0.4, 0.1], [0.9, 0.3, 0.8]])
    r = rb.regrets(values, "higher")
    want = [[0.0, 0.5, 0.1], [0.4, 0.0, 0.0], [0.0, 0.0, 0.3], [0.0, 0.6, 0.1]]
    assert np.allclose(r.to_numpy(), want)
    s = rb.regret_summary(values, "higher").set_index("option")
    assert s.loc["a", "max_regret"] == pytest.approx(0.4)
    assert s.loc["a", "mean_regret"] == pytest.approx(0.1)
    assert s.loc["c", "max_regret"] == pytest.approx(0.3)
    assert s.loc["b", "p90_regret"] == pytest.approx(np.quantile([0.5, 0, 0, 0.6], 0.9))
    assert s.loc["a", "best_worlds"] == 3 and s.loc["b", "best_worlds"] == 2  # ties share
    assert s.loc["c", "share_best"] == pytest.approx(0.25)
    # near the best: within 5% of the range (0.9), so c's 0.1 below in two worlds is not near
    assert s.loc["c", "tolerance"] == pytest.approx(0.045) and s.loc["c", "near_worlds"] == 1
    least = rb.least_regret(s.reset_index().assign(outcome="x")).iloc[0]
    assert (least["least"], least["next"]) == ("c", "a")  # minimax: 0.3 before 0.4 and 0.6
    assert least["next_max"] == pytest.approx(0.4)


def test_lower_is_better_measures_regret_the_other_way():
    values = table([[3.0, 1.0], [2.0, 5.0]], "ab")
    r = rb.regrets(values, "lower")
    assert r.to_numpy().tolist() == [[2.0, 0.0], [0.0, 3.0]]
    with pytest.raises(ValueError, match="better"):
        rb.regrets(values, "sideways")


@st.composite
def worlds_by_options(draw, nan: bool = True):
    shape = (draw(st.integers(1, 12)), draw(st.integers(1, 5)))
    elements = st.one_of(finite, st.just(math.nan)) if nan else finite
    data = draw(arrays(float, shape, elements=elements))
    return pd.DataFrame(data, columns=[f"o{i}" for i in range(shape[1])])


@given(worlds_by_options(), st.sampled_from(["higher", "lower"]))
def test_regret_is_never_negative_and_the_best_of_each_world_has_none(values, better):
    r = rb.regrets(values, better)
    assert (r.isna() == values.isna()).all().all()  # no value: no regret, never a zero
    assert (r.to_numpy()[~np.isnan(r.to_numpy())] >= 0).all()
    valued = values.notna().any(axis=1)
    assert (r[valued].min(axis=1) == 0).all()
    flipped = rb.regrets(-values, "higher" if better == "lower" else "lower")
    pd.testing.assert_frame_equal(r, flipped)  # the direction is all that decides


@given(worlds_by_options(nan=False), arrays(float, 12, elements=finite))
def test_regret_does_not_move_when_a_world_shifts_every_option_alike(values, shift):
    moved = values.add(shift[: len(values)], axis=0)
    a, b = rb.regrets(values, "higher"), rb.regrets(moved, "higher")
    assert np.allclose(a.to_numpy(), b.to_numpy(), atol=1e-9)


@given(worlds_by_options(), st.data())
@settings(max_examples=60, deadline=None)
def test_a_dominated_option_changes_no_other_options_regret(values, data):
    """An option never better than the best of the others in any world leaves their regret,
    and every measure of it with its intervals, as it was (the bootstrap resamples worlds,
    not options); only "near the best" may move, as it is a share of the range over every
    option, which the new one can widen."""
    best = values.max(axis=1)
    below = data.draw(arrays(float, len(values), elements=st.floats(0, 100)))
    with_dominated = values.assign(dominated=best.fillna(0) - below)
    before = rb.regret_summary(values, "higher", seed=3, resamples=50)
    after = rb.regret_summary(with_dominated, "higher", seed=3, resamples=50)
    if values.notna().any(axis=1).all():  # the new option has no world to itself
        kept = after[after["option"] != "dominated"].reset_index(drop=True)
        near = ["tolerance", "near_worlds", "share_near", "near_low", "near_high"]
        pd.testing.assert_frame_equal(before.drop(columns=near), kept.drop(columns=near))


def test_the_bootstrap_is_seeded_and_its_intervals_are_ordered():
    rng = np.random.default_rng(0)
    values = pd.DataFrame(rng.random((30, 3)), columns=list("xyz"))
    a = rb.regret_summary(values, "higher", seed=1)
    pd.testing.assert_frame_equal(a, rb.regret_summary(values, "higher", seed=1))
    assert not a.equals(rb.regret_summary(values, "higher", seed=2))
    for low, high in (("mean_low", "mean_high"), ("p90_low", "p90_high")):
        assert (a[low] >= 0).all() and (a[low] <= a[high]).all()
        assert (a[high] <= a["max_regret"] + 1e-12).all()
    assert (a["best_low"] <= a["share_best"]).all() and (a["share_best"] <= a["best_high"]).all()


# --- what does not apply, and what the rules fix --------------------------------------------------


def test_an_option_without_values_is_not_applicable_never_a_best_looking_zero():
    values = table([[0.3, math.nan, 0.5], [0.6, math.nan, 0.2], [0.4, math.nan, math.nan]])
    s = rb.regret_summary(values, "higher").set_index("option")
    assert not s.loc["b", "applicable"] and s.loc["b", "worlds"] == 0
    assert s[["mean_regret", "max_regret", "share_best"]].loc["b"].isna().all()
    assert s.loc["c", "worlds"] == 2  # no value in the third world: counted where it has one
    assert s.loc["a", "max_regret"] == pytest.approx(0.2)  # compared among those that apply
    least = rb.least_regret(s.reset_index().assign(outcome="x")).iloc[0]
    assert least["least"] != "b" and least["not_applicable"] == "b"


def test_what_the_rules_fix_is_a_fact_without_an_interval():
    fixed = table([[4.0, 7.0]] * 5, "ab")  # the same in every world
    s = rb.regret_summary(fixed, "lower").set_index("option")
    assert s["fixed"].all() and s["mean_low"].isna().all() and s["best_low"].isna().all()
    assert s.loc["b", "max_regret"] == 3.0
    varying = table([[0.9, 0.1], [0.8, 0.4], [0.7, 0.3]], "ab")  # a is best in every world
    v = rb.regret_summary(varying, "higher").set_index("option")
    assert not v.loc["a", "fixed"] and v.loc["a", "share_best"] == 1
    assert v.loc["a", "best_low"] < 1  # three worlds do not make it certain


# --- satisficing ---------------------------------------------------------------------------------


def long(values: dict[str, list[float]], options: str = "ab") -> pd.DataFrame:
    """One row per world and option from per-outcome lists in world-major, option-minor order."""
    n = len(next(iter(values.values()))) // len(options)
    return pd.DataFrame(
        {"world": np.repeat(np.arange(n), len(options)), "option": list(options) * n, **values}
    )


def test_satisficing_counts_the_worlds_that_meet_every_threshold():
    means = long(
        {
            "commitment": [0.6, 0.4, 0.7, 0.9, 0.5, 0.8, 0.2, math.nan],
            "free_riding": [0.1, 0.1, 0.3, 0.1, 0.2, 0.3, 0.1, math.nan],
        }
    )
    chosen = [rb.Threshold("commitment", ">=", 0.5), rb.Threshold("free_riding", "<=", 0.2)]
    s = rb.satisficing(means, "option", chosen).set_index(["criterion", "option"])
    both = "commitment >= 0.5 and free_riding <= 0.2"
    assert set(s.index.get_level_values(0)) == {str(chosen[0]), str(chosen[1]), both}
    assert (s.loc[(both, "a"), "met"], s.loc[(both, "a"), "worlds"]) == (2, 4)
    assert (s.loc[(both, "b"), "met"], s.loc[(both, "b"), "worlds"]) == (1, 3)  # NaN: not counted
    assert (s.loc[("commitment >= 0.5", "b"), "met"]) == 2
    low, high = wilson(2, 4)
    assert s.loc[(both, "a"), "ci_low"] == pytest.approx(low)
    assert s.loc[(both, "a"), "ci_high"] == pytest.approx(high)


def test_satisficing_on_an_outcome_that_does_not_apply_says_so():
    means = long({"tailoring_fit": [0.5, math.nan, 0.7, math.nan]})
    s = rb.satisficing(means, "option", [rb.Threshold("tailoring_fit", ">", 0.6)])
    b = s.set_index("option").loc["b"]
    assert not b["applicable"] and math.isnan(b["share"]) and b["worlds"] == 0


@given(
    arrays(float, st.integers(1, 30), elements=st.floats(-5, 5)),
    st.floats(-6, 6),
    st.floats(0, 3),
)
@settings(max_examples=40, deadline=None)
def test_satisficing_is_monotone_in_the_threshold(values, x, step):
    means = pd.DataFrame({"world": range(len(values)), "option": "a", "y": values})

    def share(op: str, at: float) -> float:
        return float(rb.satisficing(means, "option", [rb.Threshold("y", op, at)])["share"].iloc[0])

    assert share(">=", x + step) <= share(">=", x) and share("<=", x) <= share("<=", x + step)
    assert share(">", x) <= share(">=", x)


@given(st.integers(0, 200), st.integers(1, 200))
def test_the_wilson_interval_holds_the_share_inside_zero_and_one(k, n):
    k = min(k, n)
    low, high = wilson(k, n)
    assert 0 <= low <= k / n <= high <= 1 and low < high


def test_the_wilson_interval_has_its_known_values():
    assert wilson(0, 20)[1] == pytest.approx(0.1611, abs=1e-4)  # not zero wide at 0 of n
    low, high = wilson(10, 20)
    assert low == pytest.approx(1 - high) and low == pytest.approx(0.2993, abs=1e-4)
    assert all(math.isnan(v) for v in wilson(0, 0))


# --- thresholds from text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("commitment>=0.5", ("commitment", ">=", 0.5)),
        (" free_riding <= 2e-1 ", ("free_riding", "<=", 0.2)),
        ("progress>-3", ("progress", ">", -3.0)),
        ("progress<10", ("progress", "<", 10.0)),
    ],
)
def test_a_threshold_is_read_from_its_text(text, want):
    t = rb.parse_threshold(text, ["commitment", "free_riding", "progress"])
    assert (t.outcome, t.op, t.value) == want


@pytest.mark.parametrize(
    "text", ["commitment=>0.5", "commitment==0.5", "commitment>=", "commitment>=nan",
             "commitment>=inf", "commitment>=1e999", "commitment>=0.5.1", ">=0.5", "x" * 300]
)  # fmt: skip
def test_a_threshold_written_wrongly_is_refused(text):
    with pytest.raises(rb.BadThreshold):
        rb.parse_threshold(text, ["commitment"])


def test_an_unknown_outcome_in_a_threshold_gets_a_did_you_mean():
    with pytest.raises(rb.Unknown) as caught:
        rb.parse_threshold("comitment>=0.5", ["commitment", "progress"])
    assert caught.value.close == ["commitment"] and "did you mean commitment" in str(caught.value)
    with pytest.raises(ValueError, match="op"):
        rb.Threshold("commitment", "=", 0.5)  # type: ignore[arg-type]


# --- over a comparison's plausible worlds --------------------------------------------------------


@pytest.fixture(scope="module")
def drawn():
    if not worlds.available():
        pytest.skip("no posterior in sim/data/posterior")
    return worlds.draw(3, 0)


def test_compare_computes_regret_from_the_worlds_means_of_its_runs(drawn):
    from sim.model.config import load_scenario
    from sim.study.compare import compare

    scs = [load_scenario(n, years=2) for n in ("split-2022", "grd", "multiple-local")]
    chosen = [rb.Threshold("commitment", ">=", 0.5)]
    c = compare(scs, 6, workers=1, worlds=drawn, satisfice=chosen)
    means = c.runs.groupby(["world", "scenario"])["commitment"].mean().unstack()
    by_hand = (means.max(axis=1).to_numpy()[:, None] - means.to_numpy()).max(axis=0)
    got = c.robustness[c.robustness["outcome"] == "commitment"].set_index("scenario")
    assert got.loc[list(means.columns), "max_regret"].to_numpy() == pytest.approx(by_hand)
    met = (means >= 0.5).sum()
    sat = c.satisficing.set_index("scenario")["met"]
    assert sat[list(means.columns)].tolist() == met.tolist()
    # a criterion a scenario without shared services cannot be scored on does not apply
    for key in ("c1_tailoring", "tailoring_fit"):
        part = c.robustness[c.robustness["outcome"] == key].set_index("scenario")
        for sc in part.index:
            if c.runs.loc[c.runs["scenario"] == sc, key].isna().all():
                assert not part.loc[sc, "applicable"] and math.isnan(part.loc[sc, "max_regret"])
    with pytest.raises(Exception, match="worlds"):
        compare(scs[:1], 2, workers=1, satisfice=chosen)  # satisficing counts worlds


def _compare(tmp_path, capsys, lang: str, *extra: str):
    out = tmp_path / f"c-{lang}"
    argv = ["compare", "--scenarios", "split-2022,grd,network", "--replicates", "6"]
    argv += ["--worlds", "3", "--years", "2", "--workers", "1", "--no-progress"]
    code = main([*argv, "--lang", lang, "--out", str(out), *extra])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    return out, printed.out


@pytest.mark.slow  # two whole comparisons through the command line
def test_compare_writes_robustness_and_says_it_in_both_languages(tmp_path, capsys, drawn):
    out, printed = _compare(
        tmp_path, capsys, "en", "--satisfice", "commitment>=0.5", "--satisfice", "free_riding<=0.2"
    )
    regret = pd.read_csv(out / "robustness.csv")
    runs = pd.read_csv(out / "runs.csv")
    assert set(regret["scenario"]) == set(runs["scenario"])
    assert (regret["worlds"] <= 3).all() and (regret["max_regret"].dropna() >= 0).all()
    satisficing = pd.read_csv(out / "satisficing.csv")
    assert set(satisficing["criterion"]) == {
        "commitment >= 0.5",
        "free_riding <= 0.2",
        "commitment >= 0.5 and free_riding <= 0.2",
    }
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["robustness"]["thresholds"] == ["commitment >= 0.5", "free_riding <= 0.2"]
    line = [ln for ln in printed.splitlines() if "least regret over 3 worlds" in ln]
    assert len(line) == 1 and "commitment" in line[0]
    page = (out / "report.html").read_text()
    assert "Least regret across plausible worlds" in page and "Savage 1951" in page
    rows = re.findall(r"<table class='regret'>(.*?)</table>", page)[0].count("<tr>")
    assert rows == 1 + 10  # commitment, free-riding, progress and the seven criteria
    assert "<table class='satisficing'>" in page
    nl, printed_nl = _compare(tmp_path, capsys, "nl")
    page_nl = (nl / "report.html").read_text()
    assert "Minste spijt over plausibele werelden" in page_nl and "minste spijt bij" in page_nl
    assert "minste spijt over 3 werelden" in printed_nl
    assert not (nl / "satisficing.csv").exists()  # no thresholds asked


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--satisfice", "commitment=>0.5"], "is not a threshold"),
        (["--satisfice", "comitment>=0.5"], "did you mean commitment"),
        (["--satisfice", "comitment>=0.5", "--lang", "nl"], "bedoelde u commitment"),
        (["--satisfice", "commitment>=0.5", "--worlds", "0"], "needs worlds"),
    ],
)
def test_compare_refuses_a_bad_threshold_in_one_line(tmp_path, capsys, extra, said):
    out = tmp_path / "x"
    code = main(["compare", "--scenarios", "grd", "--replicates", "4", "--out", str(out), *extra])
    err = capsys.readouterr().err
    assert code == 2 and said in err and err.count("\n") == 1
    assert not out.exists()


# --- over a sweep's worlds -----------------------------------------------------------------------

SPEC = """name = "r"
base = "multiple-local-status-quo"
years = 2
replicates = 2
master_seed = 4
[design]
kind = "full_factorial"
[parameters]
"governance.mobility" = { values = ["multiple-local", "network", "grd"] }
"behaviour.trust_loss" = { values = [0.2, 0.6] }
"behaviour.choice_noise" = { values = [0.3, 0.9] }
[outputs]
summary = ["commitment", "free_riding", "progress", "tailoring_fit", "defections_detected"]
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    base = tmp_path_factory.mktemp("swept")
    (base / "spec.toml").write_text(SPEC)
    out = base / "sweep"
    argv = ["sweep", str(base / "spec.toml"), "--out", str(out), "--in-process", "--no-progress"]
    assert main(argv) == 0
    return out


def test_robustness_of_a_sweep_answers_first_and_writes_its_tables(swept, tmp_path, capsys):
    out = tmp_path / "r"
    argv = ["robustness", str(swept), "--factor", "governance.mobility", "--out", str(out)]
    assert main([*argv, "--satisfice", "commitment>=0.5"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("samenspel robustness: the 3 levels of governance.mobility")
    assert printed[1].startswith("Over 4 worlds") and "least regret on commitment" in printed[1]
    regret = pd.read_csv(out / "regret.csv")
    assert set(regret["option"]) == {"multiple-local", "network", "grd"}
    assert set(regret["outcome"]) == {"commitment", "free_riding", "progress", "tailoring_fit"}
    # by hand: each world's mean over its replicates, the best there, the largest shortfall
    runs = pd.read_parquet(swept / "runs")
    means = runs.groupby(["behaviour.trust_loss", "behaviour.choice_noise", "governance.mobility"])
    wide = means["progress"].mean().unstack()
    by_hand = (wide.max(axis=1).to_numpy()[:, None] - wide.to_numpy()).max(axis=0)
    got = regret[regret["outcome"] == "progress"].set_index("option")["max_regret"]
    assert got[list(wide.columns)].to_numpy() == pytest.approx(by_hand)
    tailoring = regret[regret["outcome"] == "tailoring_fit"]  # no shared services: n/a
    assert not tailoring["applicable"].any() and tailoring["max_regret"].isna().all()
    assert len(pd.read_csv(out / "satisficing.csv")) == 3
    assert len(pd.read_csv(out / "worlds.csv")) == 4 * 3 * 4  # worlds x options x outcomes
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["factor"] == "governance.mobility" and manifest["worlds"] == 4


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--factor", "governance.mobilty"], "did you mean governance.mobility"),
        (["--factor", "behaviour.trust_los", "--lang", "nl"], "bedoelde u behaviour.trust_loss"),
        (["--factor", "governance.mobility", "--outcome", "progres"], "did you mean progress"),
        (["--factor", "governance.mobility", "--outcome", "defections_detected"], "direction"),
        (["--factor", "governance.mobility", "--satisfice", "progress=1"], "not a threshold"),
    ],
)
def test_robustness_refuses_what_is_not_there_in_one_line(swept, tmp_path, capsys, extra, said):
    out = tmp_path / "r"
    code = main(["robustness", str(swept), "--out", str(out), *extra])
    err = capsys.readouterr().err
    assert code == 2 and said in err and err.count("\n") == 1
    assert not out.exists()


def test_robustness_waits_for_an_unfinished_sweep_unless_partial(swept, tmp_path, capsys):
    folder = tmp_path / "sweep"
    shutil.copytree(swept, folder)
    sorted((folder / "runs").glob("part-*"))[0].unlink()  # as if its batch never ran
    argv = ["robustness", str(folder), "--factor", "governance.mobility"]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and "--partial" in err and "of its 24 runs" in err
    assert main([*argv, "--partial"]) == 0
    assert "--partial" in capsys.readouterr().err


# --- the README's example ------------------------------------------------------------------------


def test_the_bundled_example_crosses_every_arrangement_with_each_world():
    from sim.study.experiment import load_spec
    from tests.conftest import ROOT

    spec = load_spec(ROOT / "experiments" / "sweeps" / "arrangement-robustness.toml")
    points = spec.points()
    assert spec.run_count() == 600 and spec.design.cross == ["governance"]
    others = [n for n in spec.names if n != "governance"]
    worlds = {tuple(p[n] for n in others) for p in points}
    assert len(worlds) == 24  # each arrangement at each sampled point
    runs = spec.runs()
    seeds = {}
    for _, _, seed, p in runs:
        seeds.setdefault(tuple(p[n] for n in others), set()).add(seed)
    assert all(len(s) == spec.replicates for s in seeds.values())  # paired: the same seeds


@pytest.mark.slow  # the README's recipe as written: a 600-run sweep, then robustness
def test_the_readme_robustness_recipe_runs_as_written(tmp_path):
    from tests.conftest import ROOT, samenspel

    readme = (ROOT / "README.md").read_text()
    recipe = readme.split("### Robustness")[1].split("```sh")[1].split("```")[0]
    lines = recipe.replace("\\\n", " ").strip().splitlines()
    assert len(lines) == 2
    shutil.copytree(ROOT / "experiments", tmp_path / "experiments")
    for line in lines:
        argv = line.split()[1:]  # after .venv/bin/samenspel
        argv = [a.strip('"') for a in argv]
        done = samenspel([*argv, "--no-progress"] if argv[0] == "sweep" else argv, tmp_path)
        assert done.returncode == 0, done.stderr
    out = tmp_path / "results" / "arrangement-robustness-robustness"
    assert {p.name for p in out.iterdir()} == {
        "regret.csv",
        "satisficing.csv",
        "worlds.csv",
        "manifest.json",
    }
    assert "has the least regret on commitment" in done.stdout.splitlines()[1] or (
        "is the best on commitment" in done.stdout.splitlines()[1]
    )
