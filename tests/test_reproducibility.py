"""One integer seed fixes a run, bit for bit, in this process and in a new one."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from sim.model.config import load_scenario
from sim.model.model import RegionModel
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

SNIPPET = """
import hashlib, sys
from sim.model.config import load_scenario
import pytest

from sim.model.config import load_scenario
from sim.model.model import RegionModel
m = RegionModel(load_scenario(sys.argv[2]), seed=int(sys.argv[1])).run()
print(hashlib.sha256(repr((m.recorder.rows, m.recorder.municipality_rows())).encode()).hexdigest())
"""


def digest(model: RegionModel) -> str:
    rec = model.recorder
    return hashlib.sha256(repr((rec.rows, rec.municipality_rows())).encode()).hexdigest()


def test_same_seed_same_run_in_process(multiple_local):
    assert digest(RegionModel(multiple_local, seed=42).run()) == digest(
        RegionModel(multiple_local, seed=42).run()
    )


def test_different_seeds_differ(multiple_local):
    assert digest(RegionModel(multiple_local, seed=1).run()) != digest(
        RegionModel(multiple_local, seed=2).run()
    )


@pytest.mark.parametrize("preset", ["multiple-local", "grd-2004", "network-2024"])
def test_same_seed_bit_identical_in_new_processes(preset):
    here = digest(RegionModel(load_scenario(preset), seed=42).run())
    for hashseed in ("0", "12345"):  # string hashing differs between processes; results must not
        out = subprocess.run(
            [sys.executable, "-c", SNIPPET, "42", preset],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": hashseed, "PATH": ""},
        )
        assert out.stdout.strip() == here
