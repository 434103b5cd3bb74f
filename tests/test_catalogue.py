"""One outcome catalogue: every output a run produces has exactly one entry, in both languages,
and the modules of sim/ and agents/ import each other without a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sim.model.config import list_scenarios, load_scenario
from sim.model.model import RegionModel
from sim.model.outcomes import CATALOGUE, CRITERIA, EVENTS, OUTCOMES, outcome
from sim.model.recorder import SERIES
from sim.study.scorecard import scorecard
from tests.conftest import ROOT


def produced_keys() -> tuple[set[str], set[str], set[str]]:
    """Summary keys (with the scorecard), series columns and event kinds of real runs."""
    summary, events = set(), set()
    for name in list_scenarios():
        data = load_scenario(name).model_dump(mode="json")
        data["shock_probability"] = 1.0  # so that shocks happen too
        from sim.model.config import scenario_from_dict

        model = RegionModel(scenario_from_dict(data), seed=3).run()
        s = model.recorder.summary()
        summary |= set(s) | set(scorecard(s))
        events |= {e[1] for e in model.recorder.events}
    return summary, set(model.recorder.columns), events


def test_every_output_has_one_entry_in_both_languages_and_no_entry_is_idle():
    summary, series, events = produced_keys()
    for key in summary | series:
        entry = outcome(key)  # raises KeyError for an output the catalogue lacks
        assert entry.en and entry.nl, key
        assert bool(entry.unit_en) == bool(entry.unit_nl), key
    per_theme = {k for k in summary if k.startswith("commitment_") and k not in OUTCOMES}
    assert per_theme  # commitment per theme comes from one pattern entry
    assert set(SERIES) == series
    for o in CATALOGUE:
        if o.kind in ("scalar", "id"):
            assert o.key in summary, f"{o.key} is catalogued but no run produces it"
        elif o.kind == "series":
            assert o.key in series, o.key
        else:
            assert o.key in summary and o.key in series, o.key
    assert len({o.key for o in CATALOGUE}) == len(CATALOGUE)
    assert events <= set(EVENTS), events - set(EVENTS)
    for e in EVENTS.values():
        assert e.en and e.nl and bool(e.value_en) == bool(e.value_nl)


def test_the_scorecard_reports_exactly_the_catalogued_criteria():
    model = RegionModel(load_scenario("grd-2004"), seed=1).run()
    assert tuple(scorecard(model.recorder.summary())) == CRITERIA
    assert len(CRITERIA) == 7


def test_directions_are_given_where_better_is_clear():
    for key in ("commitment", "progress", "trust_mean", "legitimacy_mean", *CRITERIA):
        assert outcome(key).better == "higher", key
    for key in ("free_riding", "meeting_hours", "transition_cost", "service_cost_per_inhabitant"):
        assert outcome(key).better == "lower", key


# --- no import cycles ----------------------------------------------------------------------------


def imports_at_run_time(path: Path, package_root: Path) -> set[str]:
    """Modules a file imports when it runs: every import statement, at module level or inside
    a function, except those under `if TYPE_CHECKING:` (never executed)."""
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    module = ".".join(path.relative_to(package_root).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return out


def module_graph() -> dict[str, set[str]]:
    files = [*(ROOT / "sim").rglob("*.py"), *(ROOT / "agents").rglob("*.py")]
    modules = {".".join(f.relative_to(ROOT).with_suffix("").parts): f for f in files}
    modules = {m.removesuffix(".__init__"): f for m, f in modules.items()}
    return {
        m: {i for i in imports_at_run_time(f, ROOT) if i in modules and i != m}
        for m, f in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return [*stack[stack.index(n) :], n]
            if n not in state and (cycle := visit(n)):
                return cycle
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (cycle := visit(m)):
            return cycle
    return None


def test_no_import_cycle_between_modules_of_sim_and_agents():
    graph = module_graph()
    assert "sim.model.model" in graph and "agents.municipality" in graph["sim.model.model"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


@pytest.mark.parametrize(
    ("graph", "cyclic"),
    [({"a": {"b"}, "b": {"a"}}, True), ({"a": {"b"}, "b": {"c"}, "c": set()}, False)],
)
def test_the_cycle_finder_finds_cycles(graph, cyclic):
    assert (find_cycle(graph) is not None) is cyclic
