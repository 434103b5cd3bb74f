"""The public Python API: `from sim import ...`, as docs/API.md documents it.

The names in `sim.__all__` are exactly the reference's headings, with the real signatures;
each has a docstring with an example, and the examples run; `import sim` in a fresh interpreter
loads nothing else (and the names, once used, no plotly, dash or presentation layer); the
notebook (docs/notebooks/explore.py) runs top to bottom and writes its plot; the reference's
opening example runs.
"""

from __future__ import annotations

import ast
import doctest
import inspect
import json
import re
import runpy
import subprocess
import sys
import tempfile

import pytest

import sim
from tests.conftest import ROOT

API = ROOT / "docs" / "API.md"
NOTEBOOK = ROOT / "docs" / "notebooks" / "explore.py"
NOT_LOADED = ("plotly", "dash", "matplotlib", "sim.present")


def documented() -> list[str]:
    """The names the reference documents: its `### `name`` headings."""
    return re.findall(r"^### `(\w+)`$", API.read_text(encoding="utf-8"), flags=re.M)


def plain_signature(obj) -> str:
    """A callable's signature as the reference writes it: without annotations."""
    sig = inspect.signature(obj)
    params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
    return str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))


def same_signature(a: str, b: str) -> bool:
    """Two signatures alike but for quotes and line breaks (ruff formats the reference's code)."""
    return ast.dump(ast.parse(f"def {a}: ...")) == ast.dump(ast.parse(f"def {b}: ..."))


def test_the_public_names_are_the_documented_ones():
    names = documented()
    assert len(names) == len(set(names)), "a name is documented twice"
    assert sorted(names) == sorted(sim.__all__)
    assert sorted(set(dir(sim)) & set(sim.HOMES)) == sorted(sim.__all__)


@pytest.mark.parametrize("name", sim.__all__)
def test_each_name_comes_from_its_home_with_the_documented_signature(name):
    obj = getattr(sim, name)
    assert obj.__module__ == sim.HOMES[name] and obj.__name__ == name
    if not (inspect.isfunction(obj) or obj is sim.RegionModel):
        return  # Scenario (pydantic, every field) and ConfigError: described in words
    text = API.read_text(encoding="utf-8")
    entry = text.split(f"### `{name}`\n", 1)[1]
    shown = re.search(r"```python\n(.*?)```", entry, flags=re.S).group(1).strip()
    assert same_signature(shown, f"{name}{plain_signature(obj)}"), shown


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'simulation'"):
        sim.simulation  # noqa: B018
    with pytest.raises(ImportError):
        from sim import Simulate  # noqa: F401


@pytest.mark.parametrize("name", sim.__all__)
def test_each_name_has_a_docstring_with_an_example(name):
    doc = inspect.getdoc(getattr(sim, name)) or ""
    assert len(doc.splitlines()) > 3 and "Example" in doc


LIGHT = f"""
import json, sys
import sim
first = sorted(m for m in sys.modules if m.split(".")[0] in ("sim", "agents"))
names = [getattr(sim, n) for n in sim.__all__]  # what a script or a sweep worker uses
loaded = [m for m in sys.modules if m.startswith({NOT_LOADED!r})]
print(json.dumps({{"first": first, "loaded": loaded}}))
"""


def test_import_sim_is_light():
    done = subprocess.run(
        [sys.executable, "-c", LIGHT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout)
    assert seen["first"] == ["sim"]  # `import sim` alone loads none of its modules
    assert seen["loaded"] == []  # and the public names bring no plotly, dash or presentation


def test_the_doctests_of_the_public_names_run(monkeypatch, tmp_path):
    """Every `>>>` example in `sim`'s docstring and the public names' runs as written; a name
    without one is shown at work in the notebook."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the examples' temporary folders
    monkeypatch.chdir(tmp_path)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(sim, "sim", globs={})
    for name in sim.__all__:
        tests += finder.find(getattr(sim, name), name, globs={})
    notebook = NOTEBOOK.read_text(encoding="utf-8")
    with_examples = {t.name.split(".")[0] for t in tests if t.examples}
    for name in sim.__all__:
        assert name in with_examples or f"sim.{name}(" in notebook, name
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and result.attempted >= 40


def test_the_notebook_runs_top_to_bottom_and_writes_its_plot(monkeypatch, tmp_path, capsys):
    text = NOTEBOOK.read_text(encoding="utf-8")
    cells = re.split(r"^# %%", text, flags=re.M)[1:]
    assert len(cells) >= 10
    for cell in cells:  # Jupytext's percent format: a markdown cell is comment lines only
        if cell.startswith(" [markdown]"):
            assert all(line.startswith("#") for line in cell.strip().splitlines()[1:]), cell
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    ns = runpy.run_path(str(NOTEBOOK))
    plot = ns["plot_file"]
    assert plot.parent.parent == tmp_path and plot.suffix == ".html"
    page = plot.read_text(encoding="utf-8")
    assert "Mean trust under two rates of trust loss" in page and "plotly" in page
    assert (ns["analysis"] / "main_effects.csv").is_file()
    assert len(ns["runs"]) == 6 and set(ns["runs"]["status"]) == {"ok"}
    assert list(tmp_path.iterdir()) == [plot.parent]  # nothing written beside it
    assert "open" in capsys.readouterr().out


def test_the_references_opening_example_runs(capsys):
    text = API.read_text(encoding="utf-8")
    first = re.search(r"```python\n(.*?)```", text, flags=re.S).group(1)
    assert len(first.strip().splitlines()) <= 6  # the answer first: a few lines
    exec(compile(first, str(API), "exec"), {})
    out = capsys.readouterr().out
    assert "split-2022" in out and "network-2024" in out


@pytest.mark.slow
def test_the_references_mesa_example_runs(tmp_path):
    """In a process of its own: `mesa.batch_run` sets the start method of every pool."""
    text = API.read_text(encoding="utf-8")
    block = re.search(r"## Mesa\n.*?```python\n(.*?)```", text, flags=re.S).group(1)
    check = "print(len(rows), model.running, len(months), len(towns), model.config.name)\n"
    done = subprocess.run(
        [sys.executable, "-c", block + check],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    runs, rows = 2 * 2 * 2, 23 + 7  # a row a month, the last one per municipality
    assert done.stdout.split() == [str(runs * rows), "False", "24", "7", "network-2024"]
