"""Plausible worlds (sim/study/worlds.py): drawing from the posterior, spreading replicates over
worlds, and what compare and whatif say over them (ranks, variance split, robust verdicts)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.config import load_scenario
from sim.study import whatif, worlds
from sim.study.compare import compare
from tests.conftest import samenspel


def _posterior(weights, names=("behaviour.trust_loss", "behaviour.choice_noise")):
    values = np.linspace(0.1, 0.9, len(weights) * len(names)).reshape(len(weights), len(names))
    w = np.asarray(weights, float)
    return worlds.Posterior(list(names), values, w / w.sum(), "0" * 64, {})


@given(
    st.lists(st.floats(0.01, 10.0), min_size=1, max_size=40),
    st.integers(1, 60),
    st.integers(0, 2**32),
)
@settings(max_examples=60, deadline=None)
def test_systematic_draws_follow_the_weights_and_repeat_from_the_seed(weights, n, seed):
    post = _posterior(weights)
    a, b = worlds.draw(n, seed, post), worlds.draw(n, seed, post)
    assert a == b  # one integer seed fixes the worlds
    assert len(a) == n and a.particles == sorted(a.particles)
    counts = np.bincount(a.particles, minlength=len(weights))
    # systematic resampling: each particle drawn floor or ceil of n x its weight times
    assert np.all(np.abs(counts - n * post.weights) < 1 + 1e-9)
    for p, o in zip(a.particles, a.overrides, strict=True):
        assert list(o.values()) == list(post.values[p])


@given(st.integers(1, 400), st.integers(1, 50))
def test_replicates_spread_over_worlds_in_near_equal_contiguous_blocks(replicates, count):
    count = min(count, replicates)
    w = [worlds.world_of(r, replicates, count) for r in range(replicates)]
    assert w == sorted(w) and set(w) == set(range(count))
    sizes = np.bincount(w)
    assert sizes.max() - sizes.min() <= 1


def test_a_world_sets_default_behaviour_and_keeps_what_a_scenario_sets_itself():
    sc = load_scenario("split-2022")
    mine = sc.model_copy(update={"behaviour": sc.behaviour.model_copy(update={"trust_gain": 0.4})})
    w = worlds.in_world(mine, {"behaviour.trust_gain": 0.1, "behaviour.trust_loss": 0.77})
    assert w.behaviour.trust_gain == 0.4  # set by the scenario: kept
    assert w.behaviour.trust_loss == 0.77  # left at the default: the world's


@given(
    st.lists(st.floats(-5, 5), min_size=2, max_size=8),
    st.integers(2, 6),
    st.floats(0.0, 3.0),
    st.integers(0, 1000),
)
@settings(max_examples=60, deadline=None)
def test_the_variance_split_is_a_pair_of_shares(means, per, noise, seed):
    rng = np.random.default_rng(seed)
    world = np.repeat(np.arange(len(means)), per)
    values = np.repeat(means, per) + noise * rng.standard_normal(len(world))
    between, within = worlds.variance_split(values, world)
    if math.isnan(between):
        assert np.var(values) == 0 or len(means) < 2
        return
    assert 0 <= between <= 1 and 0 <= within <= 1
    assert between + within == pytest.approx(1.0)
    if noise == 0 and np.var(means) > 0:
        assert between == pytest.approx(1.0)  # nothing but the worlds


def test_rank_probabilities_count_worlds_and_ties_share_the_better_rank():
    runs = pd.DataFrame(
        {
            "world": [0, 0, 0, 1, 1, 1],
            "scenario": ["a", "b", "c"] * 2,
            "commitment": [0.3, 0.5, 0.1, 0.6, 0.5, 0.1],
            "meeting_hours": [5.0, 5.0, 9.0, 5.0, 5.0, 9.0],
        }
    )
    ranks = worlds.rank_probabilities(
        runs, ["commitment", "meeting_hours"], {"commitment": "higher", "meeting_hours": "lower"}
    )
    p = ranks.set_index(["outcome", "scenario", "rank"])["probability"]
    assert p[("commitment", "b", 1)] == 0.5 and p[("commitment", "a", 1)] == 0.5
    assert p[("commitment", "c", 3)] == 1.0
    for (_, _), part in ranks.groupby(["outcome", "scenario"]):
        assert part["probability"].sum() == pytest.approx(1.0)
    firsts = worlds.first_places(ranks).set_index("outcome")
    assert firsts.loc["meeting_hours", "first"] == "a, b"  # tied by the rules in every world
    assert bool(firsts.loc["meeting_hours", "robust"])
    assert not bool(firsts.loc["commitment", "robust"])  # first in half the worlds
    # but one of the two is first in every world: the contenders
    assert set(firsts.loc["commitment", "contenders"].split(", ")) == {"a", "b"}
    assert firsts.loc["commitment", "p_contenders"] == 1.0


@given(
    st.integers(0, 3),
    st.floats(0.2, 0.8),
    st.integers(10, 60),
    st.integers(0, 1000),
)
@settings(max_examples=40, deadline=None)
def test_the_deciding_parameter_is_the_one_that_separates_the_worlds(which, cut, n, seed):
    rng = np.random.default_rng(seed)
    values = pd.DataFrame(rng.random((n, 4)), columns=list("pqrs"))
    x = values.iloc[:, which]
    if (x < cut).all() or (x >= cut).all():
        return
    d = np.where(x < cut, 1.0, -1.0) * (0.5 + rng.random(n))
    split = worlds.deciding_parameter(values, d)
    assert split is not None and split.accuracy == 1.0  # another may separate them as well
    if split.parameter == values.columns[which]:
        assert split.below == 1
        assert x[x < cut].max() <= split.threshold <= x[x >= cut].min()
    assert worlds.deciding_parameter(values, np.abs(d)) is None  # one sign: nothing to decide


@pytest.fixture(scope="module")
def drawn():
    if not worlds.available():
        pytest.skip("no posterior in sim/data/posterior")
    return worlds.draw(3, 0)


def test_compare_over_worlds_is_paired_reproducible_and_interval_over_worlds(drawn):
    scs = [load_scenario(n, years=2) for n in ("split-2022", "grd")]
    a = compare(scs, 6, workers=1, worlds=drawn)
    b = compare(scs, 6, workers=2, worlds=drawn)
    pd.testing.assert_frame_equal(a.runs, b.runs)  # bit for bit on any executor
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)
    # paired: the same replicate runs in the same world and on the same seed in each scenario
    keyed = a.runs.set_index(["scenario", "seed"])["world"]
    assert (keyed["split-2022"] == keyed["grd"]).all()
    assert list(keyed["grd"]) == [0, 0, 1, 1, 2, 2]
    assert set(a.outcomes["n"]) == {3}  # intervals over the worlds' means
    shares = a.outcomes.dropna(subset=["share_worlds"])
    assert ((shares["share_worlds"] + shares["share_seeds"]).round(9) == 1).all()
    firsts = worlds.first_places(a.ranks)
    assert set(firsts["outcome"]) >= {"commitment", "free_riding", "progress"}


def test_whatif_over_worlds_labels_every_verdict(drawn):
    alt, base = whatif.scenarios("dordrecht-service", years=2)
    w = whatif.whatif(alt, base, 6, workers=1, worlds=drawn)
    for table in (w.outcomes, w.intermediates):
        assert table["robust"].notna().all()
        shaky = table[~table["robust"].astype(bool)]
        assert (shaky["agree"] < worlds.ROBUST).all()
        assert table.loc[table["fixed"].astype(bool), "robust"].all()  # the rules: every world


def test_the_commands_record_the_posterior_and_the_worlds_they_drew(tmp_path, drawn):
    out = tmp_path / "c"
    done = samenspel(
        [
            "compare",
            "--scenarios",
            "split-2022,grd",
            "--replicates",
            "6",
            "--worlds",
            "3",
            "--years",
            "2",
            "--out",
            str(out),
            "--no-progress",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["worlds"] == 3 and len(manifest["posterior_particles"]) == 3
    assert manifest["posterior_sha256"] == worlds.load_posterior().sha256
    assert (out / "ranks.csv").is_file() and (out / "worlds.csv").is_file()
    assert "first:" in done.stdout
    one = samenspel(
        [
            "compare",
            "--scenarios",
            "grd",
            "--replicates",
            "4",
            "--worlds",
            "0",
            "--years",
            "2",
            "--out",
            str(tmp_path / "d"),
            "--no-progress",
        ],
        tmp_path,
    )
    assert one.returncode == 0 and "worlds" not in json.loads(
        (tmp_path / "d" / "manifest.json").read_text()
    )


@pytest.mark.parametrize("command", ["compare", "whatif"])
def test_too_few_seeds_for_the_worlds_is_one_line_exit_2(tmp_path, command):
    target = ["--scenarios", "grd"] if command == "compare" else ["dordrecht-service"]
    done = samenspel(
        [command, *target, "--replicates", "5", "--worlds", "3", "--out", str(tmp_path / "x")],
        tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--worlds" in done.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("lang", "robust", "depends"),
    [("en", "robust", "depends"), ("nl", "robuust", "hangt af")],
)
def test_whatif_labels_every_verdict_in_both_languages(tmp_path, drawn, lang, robust, depends):
    import re

    out = tmp_path / lang
    done = samenspel(
        [
            "whatif",
            "dordrecht-service",
            "--replicates",
            "6",
            "--worlds",
            "3",
            "--years",
            "2",
            "--lang",
            lang,
            "--out",
            str(out),
            "--no-progress",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    page = (out / "whatif.html").read_text()
    cells = re.findall(r"<td class='(?:better|worse|none|same|higher|lower)'>([^<]*)</td>", page)
    assert cells and all(c.endswith((robust, depends)) for c in cells)
    from sim.present.whatif_words import outcome_words

    printed = (out / "whatif.txt").read_text()
    assert max(len(line) for line in printed.splitlines()) <= 100  # readable in 100 columns
    said = " ".join(printed.split())
    differences = pd.read_csv(out / "differences.csv")
    shaky = differences[~differences["robust"].astype(bool)]
    for key in shaky.loc[shaky["outcome"].isin(whatif.RESULTS), "outcome"]:
        assert f"{outcome_words(key, lang)}: " in said  # each result that depends is explained


def test_one_world_is_refused_and_too_few_seeds_say_the_worlds_were_dropped(tmp_path, drawn):
    one = samenspel(
        [
            "compare",
            "--scenarios",
            "grd",
            "--replicates",
            "4",
            "--worlds",
            "1",
            "--out",
            str(tmp_path / "one"),
        ],
        tmp_path,
    )
    assert one.returncode == 2 and one.stderr.count("\n") == 1 and "--worlds" in one.stderr
    few = samenspel(
        [
            "compare",
            "--scenarios",
            "grd",
            "--replicates",
            "3",
            "--years",
            "2",
            "--out",
            str(tmp_path / "few"),
            "--no-progress",
        ],
        tmp_path,
    )
    assert few.returncode == 0 and "default behaviour" in few.stderr  # said, not silent
    assert "worlds" not in json.loads((tmp_path / "few" / "manifest.json").read_text())


def test_what_the_rules_fix_has_no_variance_to_split(drawn):
    scs = [load_scenario(n, years=2) for n in ("split-2022", "grd")]
    o = compare(scs, 6, workers=1, worlds=drawn).outcomes
    assert o.loc[o["fixed"].astype(bool), "share_worlds"].isna().all()
