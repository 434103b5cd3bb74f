"""The layers hold: imports run one way, present -> study -> model (with agents) -> io.

The contract is import-linter's (pyproject.toml, [tool.importlinter]); it counts every import,
inside functions and under TYPE_CHECKING too. A second test proves the contract can fail: a copy
of the tree with one deliberate upward import breaks it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_imports_run_one_way():
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 kept, 0 broken" in done.stdout


HIDDEN = {  # where an upward import would hide best
    "in a function": "\n\ndef _hidden():\n    {upward}  # noqa\n",
    "for the type checker": "\n\nimport typing\n\nif typing.TYPE_CHECKING:\n    {upward}  # noqa\n",
}


@pytest.mark.parametrize("where", sorted(HIDDEN))
@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("sim/model/rules.py", "from sim.present import i18n"),
        ("sim/io/store.py", "from sim.model import recorder"),
        ("agents/municipality.py", "from sim.study import compare"),
    ],
)
def test_an_upward_import_breaks_the_contract(tmp_path, module, upward, where):
    for part in ("sim", "agents"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    text = target.read_text()
    target.write_text(text + HIDDEN[where].format(upward=upward))
    done = lint(tmp_path)
    assert done.returncode != 0
    assert "BROKEN" in done.stdout and module.removesuffix(".py").replace("/", ".") in done.stdout


def test_a_sweep_worker_imports_no_presentation():
    """What a worker process imports to run batches, validation checks or a calibration: the
    model and study layers, never plotly, dash, platypus or sim.present."""
    code = (
        "import sys, sim.study.sweep, sim.study.executors, sim.study.run, "
        "sim.study.validation, sim.study.calibration.smc, sim.study.search.evaluate\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('plotly', 'dash', 'flask', 'platypus') "
        "or m.startswith('sim.present')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
