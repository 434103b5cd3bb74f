"""Edge values and oversized work (issue 18, points 3 and 7): generated families, not examples.

Every case runs the command line in-process (`sim.present.cli.main`) in a fresh folder and must end
with exit status 2, exactly one `samenspel: error:` message, no traceback, and the folder
unchanged: scenario files with a wrong type or value at any key, names that are not safe
names (a final newline, a control character, a unicode digit, ...), shocks beyond the horizon
(also when --years shortens it), a bad value in the file hidden by a command-line override,
sweep and calibration specs with empty or infinite values, long error lists, `validate --set`
with a control character, a what-if base on another region, animate's output name and `--vs`,
and every command whose size the user sets asked for more than the thresholds of
sim/study/estimate.py without `--large`. Then the designs made a chunk at a time: identical to
SALib's `sample` for every kind.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import re
import tempfile
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.config import (
    PRESETS,
    SAFE_NAME,
    SHOWN_PROBLEMS,
    ConfigError,
    list_scenarios,
    safe_name,
    scenario_from_dict,
)
from sim.present.cli import main
from sim.study.designs import design_chunks
from sim.study.estimate import LARGE_CPU_SECONDS, Estimate, guard, of_sweep
from sim.study.experiment import Design, Spec, largest_scenario, load_spec
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

FAMILY = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FEW = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

SCENARIO = {
    "name": "edge",
    "description": "every kind of table a scenario has",
    "region": "drechtsteden",
    "start_year": 2024,
    "years": 2,
    "initial_trust": 0.5,
    "shock_probability": 0.1,
    "salience_spread": 1.0,
    "replaces": "split-2022",
    "governance": {"mobility": "mine", "housing": "grd"},
    "previous_governance": {"mobility": "multiple-local"},
    "arrangements": {
        "mine": {"based_on": "multiple-local", "monitoring": 0.8, "modes": ["full"], "veto": False}
    },
    "themes": {"social": {"scale_elasticity": 0.2}},
    "behaviour": {"trust_loss": 0.4, "type_shares": {"conditional": 0.7, "free_rider": 0.3}},
    "shocks": [{"month": 3, "cut": 0.2, "months": 6}],
}

SPEC = {
    "name": "edge-sweep",
    "base": "multiple-local-status-quo",
    "years": 1,
    "replicates": 1,
    "design": {"kind": "full_factorial"},
    "parameters": {
        "behaviour.trust_loss": {"values": [0.3, 0.6]},
        "salience_spread": {"low": 0.5, "high": 1.5, "levels": 2},
    },
}

CALIBRATION = tomllib.loads((ROOT / "experiments" / "calibration-smoke.toml").read_text())

WRONG = [
    [1, 2],
    {"zz_unknown": 1},
    math.inf,
    -math.inf,
    math.nan,
    1e308,
    -1e308,
    datetime.datetime(1979, 5, 27, 7, 32),
]
"""Values wrong for every key of a scenario: no field takes a list of numbers, a table with an
unknown key, an infinity, NaN, a number beyond every bound, or a date."""


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) below `folder`."""
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


def refused(argv: list[str], capsys, files: dict[str, object] | None = None) -> str:
    """`samenspel ARGV` in a fresh folder holding `files` (a dict is written as TOML): exit 2,
    exactly one error message, no traceback, and the folder unchanged. The message."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        folder = Path(tmp)
        for name, content in (files or {}).items():
            text = content if isinstance(content, str) else tomli_w.dumps(content)
            (folder / name).write_text(text, encoding="utf-8")
        before = snapshot(folder)
        try:
            code = main(argv)
        except SystemExit as usage:  # argparse's own refusals
            code = usage.code
        out, err = capsys.readouterr()
        assert code == 2, f"exit {code}: {err}{out}"
        assert err.count("samenspel: error:") == 1 and "Traceback" not in err, err
        assert snapshot(folder) == before
    return err


def paths(data: object, prefix: tuple = ()) -> list[tuple]:
    """Every path to a node of a nested dict/list structure, the root left out."""
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += paths(v, (*prefix, i))
    return out


def replaced(data: dict, where: tuple, value: object) -> dict:
    """A deep copy of `data` with the node at `where` set to `value`."""
    copy = tomllib.loads(tomli_w.dumps(data))
    node = copy
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    return copy


def with_name(data: dict, name: str) -> dict:
    return {**data, "name": name}


# --- scenario files ----------------------------------------------------------------------------


def test_the_base_scenario_is_valid(capsys):
    """So that every refusal below is the wrong value's doing."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        Path("s.toml").write_text(tomli_w.dumps(SCENARIO))
        assert main(["run", "--scenario", "s.toml"]) == 0


@FAMILY
@given(st.sampled_from(paths(SCENARIO)), st.sampled_from(WRONG))
def test_a_wrong_value_at_any_key_of_a_scenario(capsys, where, value):
    data = replaced(SCENARIO, where, value)
    err = refused(["run", "--scenario", "s.toml"], capsys, {"s.toml": data})
    assert str(where[0]) in err


leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["grd", "multiple-local", "mobility", "synthetic:7", "based_on", "full"])
)
structures = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(paths(SCENARIO)), structures)
def test_any_value_at_any_key_is_accepted_or_refused_by_field(where, value):
    """Validators that look at a value before pydantic has checked its type (a list where a
    name was expected) raise a message, never another exception."""
    if value is None:  # TOML has no null: the key is left out
        return
    try:
        scenario_from_dict(replaced(SCENARIO, where, value), source="s.toml")
    except ConfigError as exc:
        assert str(exc).startswith("s.toml: ") and re.search(r"\d problems?\n  ", str(exc))


@FAMILY
@given(
    st.sampled_from(
        [[p] for p in ("multiple-local", "grd")] + [1, 0.5, True, {"x": "grd"}, "nonexistent"]
    )
)
def test_based_on_must_name_a_preset_as_text(capsys, value):
    data = replaced(SCENARIO, ("arrangements", "mine", "based_on"), value)
    err = refused(["run", "--scenario", "s.toml"], capsys, {"s.toml": data})
    assert "arrangements.mine.based_on" in err


@FAMILY
@given(st.from_regex(SAFE_NAME, fullmatch=True).filter(lambda n: n not in list_scenarios()))
def test_replaces_must_name_a_preset(capsys, name):
    data = {**SCENARIO, "replaces": name}
    err = refused(["run", "--scenario", "s.toml"], capsys, {"s.toml": data})
    assert "replaces" in err and "not a preset" in err


POISON = st.sampled_from(
    [
        "\n",
        "\r",
        "\r\n",
        "\t",
        "\x00",
        "\x7f",
        "\u2028",
        "/",
        " ",
        "é",
        "\u0663",
        "\uff15",
        "²",
        "ß",
    ]
)


@st.composite
def unsafe_names(draw) -> str:
    """A safe name spoiled: a character that no safe name holds put anywhere in it, a leading
    '.', '-' or '_', or more than 100 characters."""
    name = draw(st.from_regex(SAFE_NAME, fullmatch=True))
    how = draw(st.sampled_from(["insert", "append", "lead", "long"]))
    if how == "lead":
        return draw(st.sampled_from([".", "-", "_", ".."])) + name
    if how == "long":
        return name + "a" * (101 - len(name))
    bad = draw(POISON)
    if how == "append":
        return name + bad
    at = draw(st.integers(0, len(name)))
    return name[:at] + bad + name[at:]


@FAMILY
@given(st.from_regex(SAFE_NAME, fullmatch=True))
def test_safe_names_pass(name):
    assert safe_name(name) == name


@FAMILY
@given(unsafe_names())
def test_unsafe_names_are_refused_everywhere(capsys, name):
    with pytest.raises(ValueError):
        safe_name(name)
    err = refused(["run", "--scenario", "s.toml"], capsys, {"s.toml": with_name(SCENARIO, name)})
    assert "name" in err
    spec = {**SPEC, "name": name}
    refused(["sweep", "spec.toml", "--in-process", "--no-progress"], capsys, {"spec.toml": spec})
    calib = {**CALIBRATION, "name": name}
    refused(["calibrate", "cal.toml"], capsys, {"cal.toml": calib})


@FAMILY
@given(st.integers(1, 100), st.data())
def test_a_shock_beyond_the_horizon(capsys, years, data):
    month = data.draw(st.integers(12 * years, 1200))
    scenario = {**SCENARIO, "years": years, "shocks": [{"month": month, "cut": 0.2}]}
    err = refused(["run", "--scenario", "s.toml"], capsys, {"s.toml": scenario})
    assert "shocks.0.month" in err and "horizon" in err


@FAMILY
@given(st.integers(1, 99), st.data())
def test_a_shock_beyond_a_horizon_that_years_shortens(capsys, years, data):
    month = data.draw(st.integers(12 * years, 1199))
    scenario = {**SCENARIO, "years": 100, "shocks": [{"month": month, "cut": 0.2}]}
    scenario_from_dict(scenario)  # as written, it is valid
    argv = ["run", "--scenario", "s.toml", "--years", str(years)]
    err = refused(argv, capsys, {"s.toml": scenario})
    assert "shocks.0.month" in err and "given as an option" in err


@FAMILY
@given(st.sampled_from([0, -1, 101, 2**63 - 1, "10", 1.5, True]), st.integers(1, 100))
def test_an_override_never_hides_a_bad_value_in_the_file(capsys, bad, years):
    argv = ["run", "--scenario", "s.toml", "--years", str(years)]
    err = refused(argv, capsys, {"s.toml": {**SCENARIO, "years": bad}})
    assert "years" in err


@FAMILY
@given(st.integers(1, 400))
def test_long_error_lists_are_capped(n):
    data = {**SCENARIO, **{f"zz_unknown_{i}": 1 for i in range(n)}}
    with pytest.raises(ConfigError) as caught:
        scenario_from_dict(data, source="s.toml")
    lines = str(caught.value).splitlines()
    assert lines[0] == (f"s.toml: {n:,} problems" if n > 1 else "s.toml: 1 problem")
    if n <= SHOWN_PROBLEMS:
        assert len(lines) == 1 + n
    else:
        assert (
            len(lines) == 2 + SHOWN_PROBLEMS and lines[-1] == f"  and {n - SHOWN_PROBLEMS:,} more"
        )


# --- sweep and calibration specs -------------------------------------------------------------


SPEC_WRONG = [
    (("parameters", "behaviour.trust_loss", "values"), []),
    (("parameters", "behaviour.trust_loss", "values"), [math.inf]),
    (("parameters", "behaviour.trust_loss", "values"), [math.nan, 0.3]),
    (("parameters", "salience_spread", "low"), -math.inf),
    (("parameters", "salience_spread", "high"), math.inf),
    (("parameters", "salience_spread", "high"), math.nan),
    (("parameters", "salience_spread", "levels"), 0),
    (("design", "kind"), ["full_factorial"]),
    (("design", "samples"), 0),
    (("design", "points"), [{"salience_spread": 1.0}]),  # points, but not a list design
    (("design",), {"kind": "list", "points": [{"salience_spread": math.inf}]}),
    (("design",), {"kind": "list", "points": [{"salience_spread": [1, 2]}]}),
    (("design",), {"kind": "list", "points": [{"years": datetime.date(2024, 1, 1)}]}),
    (("replicates",), 0),
    (("years",), 0),
    (("base",), ["multiple-local-status-quo"]),
    (("master_seed",), -1),
]


@FAMILY
@given(st.sampled_from(SPEC_WRONG))
def test_wrong_values_in_a_sweep_spec(capsys, case):
    where, value = case
    spec = replaced(SPEC, where, value)
    refused(["sweep", "spec.toml", "--in-process", "--no-progress"], capsys, {"spec.toml": spec})


CALIBRATION_FLOATS = [
    ("min_epsilon",),
    ("quantile",),
    ("z_target",),
    ("rho_threshold",),
    ("rho_z",),
    ("constrained_width",),
    ("parameters", "behaviour.trust_loss", "low"),
    ("parameters", "behaviour.trust_loss", "high"),
]


@FAMILY
@given(st.sampled_from(CALIBRATION_FLOATS), st.sampled_from([math.inf, -math.inf, math.nan]))
def test_every_float_of_a_calibration_is_finite(capsys, where, value):
    spec = replaced(CALIBRATION, where, value)
    err = refused(["calibrate", "cal.toml"], capsys, {"cal.toml": spec})
    assert where[-1] in err


# --- validate, whatif, animate ---------------------------------------------------------------


@FAMILY
@given(
    st.characters(categories=["Cc", "Zl", "Zp"]),
    st.integers(0, len("behaviour.trust_loss=0.3")),
)
def test_validate_set_refuses_control_characters(capsys, bad, at):
    item = "behaviour.trust_loss=0.3"
    item = item[:at] + bad + item[at:]
    err = refused(["validate", "--set", item, "--checks", "p1-decay", "--seeds", "2"], capsys)
    assert "--set" in err


def test_validate_says_which_parts_of_a_scenario_it_does_not_use(capsys):
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        Path("s.toml").write_text(tomli_w.dumps(SCENARIO))
        args = ["validate", "--scenario", "s.toml", "--checks", "p1-decay", "--seeds", "2"]
        assert main([*args, "--no-progress"]) in (0, 1)
    err = capsys.readouterr().err
    warning = next(line for line in err.splitlines() if "--scenario s.toml" in line)
    for unused in ("governance", "arrangements", "shocks", "region", "years"):
        assert unused in warning
    assert "behaviour" in warning.split("not used")[0]  # named as what it takes


@FAMILY
@given(st.sampled_from(["synthetic", "identical"]), st.integers(2, 400))
def test_whatif_base_on_another_region_is_refused_before_any_run(capsys, kind, n):
    base = {**SCENARIO, "name": "other", "region": f"{kind}:{n}"}
    err = refused(["whatif", "dordrecht-service", "--base", "b.toml"], capsys, {"b.toml": base})
    assert "region" in err


@FAMILY
@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=0, max_size=5).filter(
        lambda s: s not in ("html", "htm", "gif", "mp4")
    ),
    st.sampled_from([None, "html", "gif", "mp4"]),
)
def test_animate_writes_only_to_a_name_its_format_allows(capsys, suffix, fmt):
    out = f"x.{suffix}" if suffix else "x"
    argv = ["animate", "split-2022", "--out", out] + (["--format", fmt] if fmt else [])
    err = refused(argv, capsys)
    assert "--out" in err


@pytest.mark.parametrize("out", ["results/", "results", "deep/er/", "."])
def test_animate_never_makes_a_file_of_a_folder_name(capsys, out):
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        Path("results").mkdir()
        before = snapshot(Path(tmp))
        assert main(["animate", "split-2022", "--out", out]) == 2
        assert snapshot(Path(tmp)) == before
    assert "is a folder" in capsys.readouterr().err


@FAMILY
@given(st.sampled_from(list_scenarios()), st.booleans())
def test_animate_vs_the_same_scenario_is_refused(capsys, preset, as_file):
    files = {"copy.toml": (PRESETS / f"{preset}.toml").read_text()} if as_file else {}
    other = "copy.toml" if as_file else preset
    err = refused(["animate", preset, "--vs", other], capsys, files)
    assert "--vs" in err


# --- work estimated before it starts -------------------------------------------------------


@FEW
@given(st.integers(10_000, 100_000))
def test_compare_asks_for_large(capsys, replicates):
    err = refused(["compare", "--replicates", str(replicates)], capsys)
    assert (
        f"{len(list_scenarios()) * replicates:,} runs" in err
        and "--large" in err
        and "--replicates" in err
    )


@FEW
@given(st.integers(50_000, 100_000))
def test_whatif_asks_for_large(capsys, replicates):
    err = refused(["whatif", "dordrecht-service", "--replicates", str(replicates)], capsys)
    assert f"{2 * replicates:,} runs" in err and "--large" in err


@FEW
@given(st.integers(20_000, 100_000))
def test_validate_asks_for_large(capsys, seeds):
    err = refused(["validate", "--seeds", str(seeds)], capsys)
    assert "runs" in err and "--large" in err and "--seeds" in err


@FEW
@given(st.integers(300_000, 1_000_000), st.integers(1, 2), st.booleans())
def test_a_large_sweep_design_asks_for_large(capsys, samples, extra, second_order):
    spec = {
        **SPEC,
        "design": {"kind": "sobol", "samples": samples, "second_order": second_order},
        "parameters": {
            "behaviour.trust_loss": {"low": 0.2, "high": 0.8},
            **{
                f"behaviour.weight_{w}": {"low": 0.5, "high": 1.5}
                for w in ("norm", "stress")[:extra]
            },
        },
        "years": 10,
    }
    err = refused(
        ["sweep", "spec.toml", "--in-process", "--no-progress"], capsys, {"spec.toml": spec}
    )
    assert "--large" in err and "design.samples" in err


@FEW
@given(st.integers(4_000, 100_000), st.sampled_from(["parameters", "points"]))
def test_a_sweep_estimate_takes_the_largest_region_and_horizon_it_sets(capsys, replicates, how):
    """The same number of runs is refused on 400 municipalities over 100 years, whether a
    parameter or a listed point sets them, and the base alone would not be."""
    sizes = {"region": ["drechtsteden", "synthetic:400"], "years": [1, 100]}
    if how == "parameters":
        design = {"kind": "full_factorial"}
        parameters = {k: {"values": v} for k, v in sizes.items()}
    else:
        points = [{"region": "drechtsteden", "years": 1}, {"region": "synthetic:400", "years": 100}]
        design, parameters = {"kind": "list", "points": points}, {}
    spec = {**SPEC, "replicates": replicates, "design": design, "parameters": parameters}
    argv = ["sweep", "spec.toml", "--in-process", "--no-progress"]
    assert "--large" in refused(argv, capsys, {"spec.toml": spec})
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "spec.toml").write_text(tomli_w.dumps({**SPEC, "replicates": replicates}))
        small = load_spec(Path(tmp) / "spec.toml")
    assert not of_sweep(small.run_count(), largest_scenario(small), "").over()


@FEW
@given(st.integers(2_000, 100_000), st.integers(2, 10))
def test_a_large_calibration_asks_for_large(capsys, population, generations):
    spec = {**CALIBRATION, "population": population, "generations": generations}
    err = refused(["calibrate", "cal.toml"], capsys, {"cal.toml": spec})
    assert "--large" in err and "population" in err


@FEW
@given(st.integers(300, 400), st.integers(60, 100), st.sampled_from(["html", "gif"]))
def test_animate_of_a_large_region_asks_for_large(capsys, n, years, fmt):
    scenario = {**SCENARIO, "region": f"synthetic:{n}", "years": years}
    argv = ["animate", "s.toml", "--format", fmt]
    err = refused(argv, capsys, {"s.toml": scenario})
    assert "--large" in err and "years" in err


def test_large_lets_an_estimate_through_and_only_then():
    big = Estimate(runs=10**6, cpu_seconds=2 * LARGE_CPU_SECONDS, memory=0, reduce="--replicates")
    guard("compare", big, large=True)
    with pytest.raises(ConfigError, match=r"1,000,000 runs.*--large.*--replicates"):
        guard("compare", big, large=False)
    guard("compare", Estimate(1, 1.0, 0.0, "--replicates"), large=False)


# --- designs made a chunk at a time: identical to SALib's -----------------------------------


def salib(kind: str, problem: dict, n: int, seed: int, second_order: bool, levels: int):
    from SALib.sample import latin, morris, sobol

    problem = dict(problem)
    if kind == "sobol":
        return sobol.sample(problem, n, calc_second_order=second_order, seed=seed)
    if kind == "morris":
        return morris.sample(problem, n, num_levels=levels, seed=seed)
    return latin.sample(problem, n, seed=seed)


def problem_of(d: int) -> dict:
    return {
        "num_vars": d,
        "names": [f"p{i}" for i in range(d)],
        "bounds": [[-1.5 * i, 2.0 + 0.7 * i] for i in range(d)],
    }


def chunked(kind: str, problem: dict, n: int, seed: int, second_order: bool, levels: int, chunk):
    design = Design(kind=kind, samples=n, second_order=second_order, levels=levels)
    return np.vstack(list(design_chunks(design, problem, seed, chunk)))


KINDS = [("sobol", False), ("sobol", True), ("morris", False), ("latin_hypercube", False)]


@pytest.mark.parametrize(("kind", "second_order"), KINDS)
@pytest.mark.parametrize("chunk", [1, 3, 4096])
def test_chunked_designs_equal_salib(kind, second_order, chunk):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy: "balance properties ... power of 2"
        for d, n, seed in [(1, 1, 0), (2, 5, 1), (4, 17, 2026)]:
            want = salib(kind, problem_of(d), n, seed, second_order, 4)
            got = chunked(kind, problem_of(d), n, seed, second_order, 4, chunk)
            assert got.shape == want.shape and got.tobytes() == want.tobytes()


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(KINDS),
    st.integers(1, 200),
    st.integers(1, 8),
    st.integers(0, 2**64 - 1),
    st.integers(1, 70),
    st.sampled_from([2, 4, 6, 10]),
)
def test_chunked_designs_equal_salib_for_any_size(case, n, d, seed, chunk, levels):
    kind, second_order = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = salib(kind, problem_of(d), n, seed, second_order, levels)
        got = chunked(kind, problem_of(d), n, seed, second_order, levels, chunk)
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize(("kind", "second_order"), KINDS)
def test_a_spec_points_are_salib_rows(kind, second_order):
    """What a sweep runs: every point of the spec is SALib's row, so an existing sweep resumes
    bit-identically."""
    spec = Spec.model_validate(
        {
            "name": "chunks",
            "base": "multiple-local-status-quo",
            "design": {"kind": kind, "samples": 9, "second_order": second_order},
            "parameters": {
                "behaviour.trust_loss": {"low": 0.1, "high": 0.9},
                "salience_spread": {"low": 0.5, "high": 1.5},
                "behaviour.instalment_months": {"low": 1, "high": 12, "integer": True},
            },
            "master_seed": 7,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = salib(kind, spec.problem(), 9, 7, second_order, 4).tolist()
        points, runs = spec.points(), [p for _, _, _, p in spec.iter_runs()]
    want = [
        {
            n: round(v) if n == "behaviour.instalment_months" else v
            for n, v in zip(spec.names, r, strict=True)
        }
        for r in rows
    ]
    assert points == want
    assert runs == want and len(want) == spec.run_count()
