"""Property-based fuzzing of the scenario and spec loaders and the command line.

Random bytes, random TOML and random mutations of valid scenarios and specs: every input is
either accepted or refused with a ConfigError (exit 2 on the command line) that names a field,
never another exception, a traceback, or anything written.
"""

from __future__ import annotations

import math
import tempfile
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.config import PRESETS, ConfigError, Scenario, scenario_from_dict
from sim.present.cli import main
from sim.study.experiment import load_spec
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

PRESET = tomllib.loads((PRESETS / "network-2024.toml").read_text())
SPEC = tomllib.loads((ROOT / "experiments" / "sweeps" / "trust-and-monitoring.toml").read_text())

keys = st.text(min_size=1, max_size=12)
leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["grd", "network", "mobility", "synthetic:7", "0.5", "true", "yes"])
)
structures = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4)
)


def paths(data: object, prefix: tuple = ()) -> list[tuple]:
    """Every path to a node of a nested dict/list structure."""
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw, base: dict) -> object:
    """`base` with one node replaced by a random structure, deleted, or given an extra key."""
    data = tomllib.loads(tomli_w.dumps(base))  # a deep copy
    where = draw(st.sampled_from(paths(data)))
    action = draw(st.sampled_from(["replace", "delete", "add"]))
    if not where:
        return draw(structures) if action == "replace" else data
    parent = data
    for part in where[:-1]:
        parent = parent[part]
    last = where[-1]
    if action == "replace":
        parent[last] = draw(structures)
    elif action == "delete":
        del parent[last]
    elif isinstance(parent[last], dict):
        parent[last][draw(keys)] = draw(structures)
    return data


def toml_text(data: object) -> str | None:
    """The structure as TOML, if TOML can say it (no None, no top-level non-table)."""
    if not isinstance(data, dict):
        return None
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError):
        return None


def check_loader(data: object) -> None:
    try:
        scenario = scenario_from_dict(data)  # type: ignore[arg-type]
    except ConfigError as exc:
        assert str(exc).strip()
        return
    assert isinstance(scenario, Scenario)
    assert scenario.years >= 1 and all(
        math.isfinite(v) for v in scenario.behaviour.model_dump().values() if isinstance(v, float)
    )


def check_cli(argv_for: callable, content: bytes, capsys) -> None:
    """Run the command on a file holding `content` in an empty folder: exit 0, or exit 2 with
    one message, no traceback, nothing written."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "input.toml"
        path.write_bytes(content)
        try:
            code = main(argv_for(path, folder / "out"))
        except SystemExit as usage:
            code = usage.code
        err = capsys.readouterr().err
        assert code in (0, 2), err
        if code == 2:
            assert err.startswith("samenspel: error:") and "Traceback" not in err
            assert sorted(p.name for p in folder.iterdir()) == ["input.toml"]


def run_argv(path: Path, out: Path) -> list[str]:
    return ["run", "--scenario", str(path), "--years", "1", "--out", str(out)]


def sweep_argv(path: Path, out: Path) -> list[str]:
    return ["sweep", str(path), "--in-process", "--no-progress", "--out", str(out)]


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_as_a_scenario(capsys, content):
    check_cli(run_argv, content, capsys)


@FUZZ
@given(structures)
def test_random_toml_as_a_scenario(capsys, data):
    check_loader(data)
    text = toml_text(data)
    if text is not None:
        check_cli(run_argv, text.encode(), capsys)


@settings(max_examples=400, deadline=None)
@given(mutated(PRESET))
def test_mutated_scenarios_are_accepted_or_refused_by_field(data):
    check_loader(data)


@FUZZ
@given(mutated(PRESET))
def test_mutated_scenarios_on_the_command_line(capsys, data):
    text = toml_text(data)
    if text is not None:
        check_cli(run_argv, text.encode(), capsys)


@FUZZ
@given(st.binary(max_size=200) | structures.map(lambda d: (toml_text(d) or "").encode()))
def test_random_input_as_a_spec(capsys, content):
    check_cli(sweep_argv, content, capsys)


@settings(max_examples=250, deadline=None)
@given(mutated(SPEC))
def test_mutated_specs_are_accepted_or_refused_by_field(data):
    text = toml_text(data)
    if text is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.toml"
        path.write_text(text)
        try:
            load_spec(path)
        except ConfigError as exc:
            assert str(exc).strip()


@FUZZ
@given(
    st.sampled_from(["scenarios", "arrangements", "rules", "run", "compare"]),
    st.text(max_size=12),
)
def test_random_language_on_the_command_line(capsys, command, lang):
    """`--lang` takes en or nl; anything else is exit 2 naming the option, nothing written."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = [command, f"--lang={lang}", "--out", str(Path(tmp) / "out")]
        argv = argv[:2] if command in ("scenarios", "arrangements", "rules") else argv
        try:
            code = main(argv + (["--years", "1"] if command == "run" else []))
        except SystemExit as usage:
            code = usage.code
        out, err = capsys.readouterr()
        if lang in ("en", "nl") and command in ("scenarios", "arrangements", "rules"):
            assert code == 0 and out
        elif lang not in ("en", "nl"):
            assert code == 2 and "--lang" in err and "Traceback" not in err
            assert list(Path(tmp).iterdir()) == []
