"""`samenspel design`: the search finds known fronts, is reproducible bit for bit, measures the
presets honestly, writes scenario files the other commands accept, and refuses a bad spec in
one line.

The search is tested through the function the command uses (`optimise`), on problems whose
Pareto front is known; the command end to end on a tiny spec (a few dozen rule sets of two
years on two seeds).
"""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model.config import ConfigError, load_scenario
from sim.study.search import front as fr
from sim.study.search.problem import hypervolumes, optimise
from sim.study.search.spec import Lever, load_design
from tests.conftest import ROOT, samenspel

EXAMPLE = ROOT / "experiments" / "design" / "steering-rules.toml"
BASE = ROOT / "experiments" / "design" / "rules-base.toml"

# --- the search on problems with a known front -------------------------------------------------


def zdt1(points: list[dict]) -> list[list[float]]:
    """ZDT1 (Zitzler, Deb & Thiele 2000) in 5 variables: its Pareto front is f2 = 1 - sqrt(f1),
    f1 in [0, 1], where x2..x5 are 0; the hypervolume of that front in the unit box is 2/3."""
    out = []
    for p in points:
        x = [p[f"x{i}"] for i in range(5)]
        g = 1 + 9 * sum(x[1:]) / 4
        out.append([x[0], g * (1 - math.sqrt(x[0] / g))])
    return out


ZDT_LEVERS = {f"x{i}": Lever(low=0.0, high=1.0) for i in range(5)}


@pytest.mark.parametrize(("kind", "eps"), [("nsga2", None), ("eps-nsga2", [0.01, 0.01])])
def test_the_search_finds_the_known_front_of_zdt1(kind, eps):
    found = optimise(
        ZDT_LEVERS, ["min", "min"], zdt1, kind=kind, nfe=3000, population=40, epsilons=eps, seed=3
    )
    f1, f2 = found.objectives[:, 0], found.objectives[:, 1]
    assert len(found.levers) >= 20
    assert np.max(np.abs(f2 - (1 - np.sqrt(f1)))) < 0.03  # every member near the true front
    assert f1.min() < 0.05 and f1.max() > 0.95  # and the front is spanned end to end
    hv = hypervolumes(found.generations, ["min", "min"], [0, 0], [1, 1])
    assert 0.62 < hv[-1] <= 2 / 3 + 1e-9  # the true front's hypervolume is 2/3
    assert hv[-1] > hv[len(hv) // 4]  # the search improved on its first generations
    assert found.nfe >= 3000 and found.generations[-1].nfe == found.nfe
    if kind == "eps-nsga2":
        progress = [g.improvements for g in found.generations]
        assert progress == sorted(progress) and progress[-1] > progress[0]  # cumulative
    else:
        assert all(g.improvements is None for g in found.generations)


def mixed(points: list[dict]) -> list[list[float]]:
    """Two objectives that agree: both grow with the distance from x = 0.3, n = 4, mode "b",
    so the rule set nearest that point beats every other on both: the front is that one."""
    out = []
    for p in points:
        dx, dn = (p["x"] - 0.3) ** 2, (p["n"] - 4) ** 2
        penalty = 0.0 if p["mode"] == "b" else 1.0
        out.append([dx + dn / 100 + penalty, dn + dx / 100 + penalty])
    return out


def test_a_real_an_integer_and_a_categorical_lever_are_searched_together():
    levers = {
        "mode": Lever(values=["a", "b", "c"]),
        "n": Lever(low=0, high=9, integer=True),
        "x": Lever(low=0.0, high=1.0),
    }
    seen: list[dict] = []

    def evaluate(points):
        seen.extend(points)
        return mixed(points)

    found = optimise(levers, ["min", "min"], evaluate, kind="nsga2", nfe=1200, population=20)
    assert all(p["mode"] in ("a", "b", "c") for p in seen)
    assert all(isinstance(p["n"], int) and 0 <= p["n"] <= 9 for p in seen)
    assert {p["mode"] for p in seen} == {"a", "b", "c"}  # every category was tried
    assert len(found.levers) == 1  # one rule set beats all others on both
    best = found.levers[0]
    assert best["mode"] == "b" and best["n"] == 4 and abs(best["x"] - 0.3) < 0.02


def test_a_rule_set_without_a_value_is_never_on_the_front():
    """Where x < 0.5 the first objective has no value (NaN): such rule sets are infeasible and
    the front holds only those with every value."""

    def evaluate(points):
        return [[math.nan if p["x"] < 0.5 else p["x"], 1 - p["x"] + p["y"]] for p in points]

    levers = {"x": Lever(low=0.0, high=1.0), "y": Lever(low=0.0, high=1.0)}
    found = optimise(levers, ["max", "min"], evaluate, kind="nsga2", nfe=600, population=20)
    assert found.levers and all(p["x"] >= 0.5 for p in found.levers)
    assert not np.isnan(found.objectives).any()


def test_the_same_seed_gives_the_same_search_and_the_callers_random_is_kept():
    def run(seed, noisy=False):
        def evaluate(points):
            if noisy:  # an evaluation that draws from the global random (as a model might)
                random.random()
                random.seed(12345)
            return zdt1(points)

        return optimise(
            ZDT_LEVERS, ["min", "min"], evaluate, kind="nsga2", nfe=400, population=20, seed=seed
        )

    random.seed(99)
    first = run(7)
    after = random.random()
    random.seed(99)
    again = run(7, noisy=True)
    assert random.random() == after  # the caller's global random state is put back
    assert first.levers == again.levers  # what an evaluation draws cannot move the search
    assert np.array_equal(first.objectives, again.objectives)
    assert [g.nfe for g in first.generations] == [g.nfe for g in again.generations]
    assert run(8).levers != first.levers  # another seed, another search


# --- dominance, on a constructed example -------------------------------------------------------


def runs(means: list[float], spread: list[float], seeds: int = 8, seed: int = 0) -> np.ndarray:
    """Runs worlds x seeds x objectives: `means` plus seed noise of size `spread`, the same
    noise pattern for every caller with the same `seed` (paired seeds)."""
    noise = np.random.default_rng(seed).standard_normal((1, seeds, len(means)))
    return np.asarray(means)[None, None, :] + noise * np.asarray(spread)[None, None, :]


def test_presets_are_dominated_only_where_a_front_member_is_no_worse_anywhere():
    directions = ["max", "min"]  # e.g. commitment up, meeting hours down
    member_a = runs([0.80, 100.0], [0.05, 5.0], seed=1)
    member_b = runs([0.60, 50.0], [0.05, 5.0], seed=1)
    clear = runs([0.50, 200.0], [0.05, 5.0], seed=1)  # worse than a on both, by far
    close = member_b.copy()  # b is better on the means by a hair, within the seeds' noise
    close[0, :, 0] -= np.array([0.02, -0.018] * 4)
    close[0, :, 1] += np.array([3.0, -2.5] * 4)
    kept = runs([0.90, 300.0], [0.05, 5.0], seed=1)  # best commitment: nobody dominates it
    tied = member_b.copy()  # equal to b everywhere: not dominated
    result = fr.dominance([member_a, member_b], [clear, close, kept, tied], directions)
    assert result[0] == ([0, 1], [0, 1])  # both dominate it, both clearly
    assert result[1][0] == [1] and result[1][1] == []  # on the means, but not clearly
    assert result[2] == ([], [])
    assert result[3] == ([], [])


def test_paired_differences_remove_the_noise_common_seeds_share():
    shared = runs([0.5, 10.0], [0.2, 3.0], seed=5)
    better = shared + np.array([0.01, -0.1])  # a little better on every seed
    lo_hi = fr.paired(better, shared, ["max", "min"])
    assert all(
        lo == hi == pytest.approx(d) for (d, lo, hi), d in zip(lo_hi, [0.01, 0.1], strict=True)
    )
    assert fr.clearly_better(better, shared, ["max", "min"])


@given(
    st.lists(st.floats(-5, 5), min_size=3, max_size=3),
    st.lists(st.floats(-5, 5), min_size=3, max_size=3),
    st.lists(st.sampled_from(["max", "min"]), min_size=3, max_size=3),
)
def test_dominance_is_strict_and_one_way(a, b, directions):
    a, b = np.array(a), np.array(b)
    assert not fr.dominates(a, a, directions)
    assert not (fr.dominates(a, b, directions) and fr.dominates(b, a, directions))
    signs = np.array([1 if d == "max" else -1 for d in directions])
    gain = (a - b) * signs
    assert fr.dominates(a, b, directions) == bool((gain >= 0).all() and (gain > 0).any())


def test_the_most_balanced_member_has_the_best_worst_objective():
    values = np.array([[1.0, 0.0], [0.6, 0.55], [0.0, 1.0], [0.5, 0.5]])
    assert fr.balanced(values, ["max", "max"]) == 1
    assert fr.order(values, ["max", "max"]) == [0, 1, 3, 2]
    assert fr.order(values, ["min", "max"]) == [2, 3, 1, 0]


def test_intervals_are_over_seeds_or_over_the_worlds_means():
    one_world = runs([0.5], [0.1], seeds=10)
    iv = fr.intervals(one_world)[0]
    assert iv["n"] == 10 and iv["ci_low"] < iv["mean"] < iv["ci_high"]
    three = np.concatenate([runs([0.5], [0.1], seeds=4, seed=s) for s in range(3)])
    assert fr.intervals(three)[0]["n"] == 3  # three worlds: three units
    fixed = np.full((1, 5, 1), 2.0)
    assert fr.intervals(fixed)[0] == {
        "mean": 2.0,
        "ci_low": 2.0,
        "ci_high": 2.0,
        "n": 5,
        "fixed": True,
    }


# --- the spec ----------------------------------------------------------------------------------

TINY = """
name = "tiny"
base = "{base}"
years = 2
replicates = 2
master_seed = 11
presets = ["network-2024", "split-2022"]

[algorithm]
kind = "eps-nsga2"
nfe = 24
population = 8
epsilons = {{ commitment = 0.02, meeting_hours = 500 }}

[levers]
"arrangements.designed.monitoring" = {{ low = 0.0, high = 1.0 }}
"arrangements.designed.decision" = {{ values = ["vote", "party_lines"] }}
"culture.conversation_interval_months" = {{ low = 0, high = 6, integer = true }}

[objectives]
commitment = "max"
meeting_hours = "min"
"""


def tiny(tmp_path, **changes: str) -> str:
    text = TINY.format(base=BASE)
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "tiny.toml"
    path.write_text(text)
    return str(path)


def test_the_bundled_example_loads():
    spec = load_design(EXAMPLE)
    assert spec.names == sorted(spec.levers) and len(spec.levers) == 5
    assert spec.directions == {"commitment": "max", "grip_mean": "max", "meeting_hours": "min"}
    assert len(set(spec.seeds())) == spec.replicates


BAD = {
    "an unknown key": ({"master_seed = 11": "master_seed = 11\nseed = 3"}, "seed"),
    "an arrangement the base lacks": (
        {'"arrangements.designed.monitoring"': '"arrangements.nothere.monitoring"'},
        "nothere",
    ),
    "a lever value the rule refuses": ({'"vote", "party_lines"': '"vote", "shout"'}, "shout"),
    "a path deeper than the scenario": (
        {'"culture.conversation_interval_months"': '"culture.insincerity.x"'},
        "levers.culture.insincerity.x",
    ),
    "an unknown outcome": ({'commitment = "max"': 'comitment = "max"'}, "comitment"),
    "an identity, not an outcome": ({'commitment = "max"': 'seed = "max"'}, "seed"),
    "an outcome no run of the base reports": (
        {'commitment = "max"': 'commitment_culture = "max"'},
        "commitment_culture",
    ),
    "epsilons that do not match": ({"meeting_hours = 500 }": "hours = 500 }"}, "epsilons"),
    "fewer evaluations than a population": ({"nfe = 24": "nfe = 4"}, "nfe"),
    "one world": ({"replicates = 2": "replicates = 2\nworlds = 1"}, "worlds"),
    "an unknown preset": ({'"split-2022"]': '"split-2023"]'}, "split-2022"),
    "a range upside down": ({"low = 0.0, high = 1.0": "low = 1.0, high = 0.0"}, "low"),
    "not TOML": ({"[algorithm]": "[algorithm"}, "TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_spec_is_refused_in_one_line_naming_the_problem(tmp_path, case):
    changes, named = BAD[case]
    with pytest.raises(ConfigError) as err:
        load_design(tiny(tmp_path, **changes))
    message = str(err.value)
    assert "\n" not in message and named in message, message


# --- the command, end to end -------------------------------------------------------------------


def design_cli(tmp_path, out: str, *extra: str):
    r = samenspel(["design", tiny(tmp_path), "--out", out, "--no-progress", *extra], tmp_path)
    assert r.returncode == 0, r.stderr
    return r


@pytest.mark.slow
def test_the_same_seed_gives_the_same_files_on_one_worker_and_on_two(tmp_path):
    one = design_cli(tmp_path, "one", "--workers", "1")
    design_cli(tmp_path, "two", "--workers", "2")
    names = ["front.csv", "presets.csv", "convergence.csv", "evaluations.csv"]
    scenarios = sorted(p.name for p in (tmp_path / "one" / "scenarios").iterdir())
    assert scenarios and scenarios == sorted(
        p.name for p in (tmp_path / "two" / "scenarios").iterdir()
    )
    names += [f"scenarios/{n}" for n in scenarios]
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), (
            name
        )
    assert one.stdout.splitlines()[0]  # an answer first, before the tables
    assert "design.html" in one.stdout.splitlines()[-1]


@pytest.mark.slow
def test_a_written_rule_set_is_a_scenario_every_command_accepts(tmp_path):
    design_cli(tmp_path, "d", "--workers", "1", "--lang", "nl")
    written = tmp_path / "d" / "scenarios" / "front-01.toml"
    scenario = load_scenario(str(written))
    assert scenario.name == "tiny-front-01" and scenario.years == 2
    assert scenario.description.startswith("Rule set front-01 of the design tiny")
    assert scenario.description_nl.startswith("Regelpakket front-01 van het ontwerp tiny")
    for args in (
        ["run", "--scenario", str(written), "--out", "r"],
        ["compare", "--scenarios", f"{written},network-2024", "--replicates", "2", "--out", "c"],
        ["whatif", str(written), "--replicates", "2", "--out", "w"],
        ["animate", str(written), "--out", "a.html"],
    ):
        r = samenspel(
            [*args, "--workers", "1"] if args[0] in ("compare", "whatif") else args, tmp_path
        )
        assert r.returncode == 0, (args[0], r.stderr)
        assert "changes nothing" not in r.stderr  # no lever is written at its preset's value


@pytest.mark.slow
def test_a_bad_spec_exits_2_with_one_line_and_writes_nothing(tmp_path):
    spec = tiny(tmp_path, **{"nfe = 24": "nfe = 4"})
    r = samenspel(["design", spec, "--out", "x"], tmp_path)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("samenspel: error: ")
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_without_platypus_the_command_says_how_to_install_it(tmp_path):
    code = (
        "import sys; sys.modules['platypus'] = None\n"
        "from sim.present.cli import main\n"
        f"sys.exit(main(['design', {tiny(tmp_path)!r}, '--out', 'x']))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "explore" in r.stderr and "GPL" in r.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_over_plausible_worlds_each_rule_set_runs_in_every_world_on_every_seed(tmp_path):
    from sim.study.search.run import design

    spec = load_design(tiny(tmp_path, **{"replicates = 2": "replicates = 2\nworlds = 3"}))
    d = design(spec, workers=1)
    assert d.worlds is not None and len(d.worlds) == 3
    assert all(r.shape == (3, 2, 2) for r in [*d.front_runs, *d.preset_runs])
    front = d.tables["front"]
    assert (front["commitment_n"] <= 3).all()  # the interval is over the worlds' means
    assert (
        fr.means(d.front_runs[0]).tolist() == front.loc[0, ["commitment", "meeting_hours"]].tolist()
    )
    again = design(spec, workers=1)
    assert again.front == d.front and again.tables["presets"].equals(d.tables["presets"])


def readme_commands() -> list[list[str]]:
    """The commands of the README's section on design searches, as written."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("### Designing rule sets by search")
    section = readme[start : readme.index("\n## ", start)]
    lines = []
    for block in section.split("```sh\n")[1:]:
        for line in block.split("```")[0].splitlines():
            line = line.split("  #")[0].strip()
            if line:
                lines.append(line.split())
    return lines


def test_the_readme_shows_the_bundled_example():
    commands = readme_commands()
    assert commands[0] == [
        ".venv/bin/samenspel",
        "design",
        "experiments/design/steering-rules.toml",
    ]
    assert (ROOT / commands[0][2]).is_file()


@pytest.mark.slow
def test_the_readme_recipe_runs_as_written(tmp_path):
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "design").symlink_to(ROOT / "experiments" / "design")
    for command in readme_commands():
        assert command[0] == ".venv/bin/samenspel"
        r = samenspel(command[1:], tmp_path)
        assert r.returncode == 0, (command, r.stderr[-2000:])
        assert "Traceback" not in r.stderr
    assert (tmp_path / "results" / "steering-rules" / "design.html").is_file()


def test_levers_and_their_values_are_named_in_words_in_both_languages():
    from sim.present.design_words import lever_label, lever_value, rules_words

    assert lever_label("governance", "en") == "the arrangement for every theme"
    assert lever_label("governance.mobility", "nl") == "het arrangement voor mobiliteit"
    assert lever_value("governance", "network", "en") == "network model"
    assert lever_label("arrangements.mine.monitoring", "en") == "monitoring"
    assert (
        lever_value("arrangements.mine.decision", "party_lines", "nl") == "fracties van alle raden"
    )
    assert lever_value("culture.conversation_interval_months", 1, "en") == "every month"
    assert lever_value("culture.conversation_interval_months", 0, "nl") == "geen"
    assert lever_label("region", "en") == "region"  # a path without words is shown as it is
    words = rules_words({"arrangements.mine.sanction": 0.456, "governance.energy": "grd"}, "nl")
    assert words == "sanctie: 0,46; het arrangement voor energietransitie: GRD met Drechtraad"


@pytest.mark.slow
@pytest.mark.parametrize("presets", [["classic-gr"], ["classic-gr", "network"]])
def test_a_front_that_dominates_no_preset_says_so_plainly(tmp_path, presets):
    """The classic GR meets far less, and it and the network model are felt to give more grip,
    than any rule set of the designed network: the front beats neither, and says so."""
    from sim.present.design_words import answer, printed
    from sim.study.search.run import design

    listed = ", ".join(f'"{p}"' for p in presets)
    spec = tiny(
        tmp_path,
        **{
            '"network-2024", "split-2022"': listed,
            'commitment = "max"': 'grip_mean = "max"',
            "commitment = 0.02": "grip_mean = 0.005",
        },
    )
    d = design(load_design(spec), workers=1)
    table = d.tables["presets"]
    assert table["preset"].tolist() == presets and not table["dominated"].any()
    assert (d.tables["front"]["dominates"] == "").all()
    n = len(d.front)
    if len(presets) == 1:
        expected = (
            "The front does not dominate classic-gr, the one preset it was measured against: "
            f"classic-gr is better than every one of the {n} rule sets found on at least one "
            "objective."
        )
        dutch = "Het front domineert classic-gr niet"
    else:
        expected = (
            "The front dominates none of the 2 presets: each preset is better than every one of "
            f"the {n} rule sets found on at least one objective, so no rule set found beats a "
            "preset on every objective."
        )
        dutch = "Het front domineert geen van de 2 standaardscenario's"
    assert answer(d, "en") == [expected]
    assert printed(d, "nl").startswith(dutch)
