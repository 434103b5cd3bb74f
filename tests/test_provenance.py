"""Every result records what produced it: samenspel's version and commit, whether the checkout
had uncommitted changes to the model (with a digest of them), and the libraries' versions."""

from __future__ import annotations

import json
import re
import subprocess
from importlib import metadata
from pathlib import Path

from sim import load_scenario
from sim.study.run import PROVENANCE_PACKAGES, provenance, save_run, simulate

ROOT = Path(__file__).resolve().parent.parent


def test_a_runs_manifest_records_the_libraries_and_the_state_of_the_checkout(tmp_path):
    folder = save_run(simulate(load_scenario("grd", years=1), seed=1), tmp_path / "run")
    manifest = json.loads((folder / "manifest.json").read_text())
    for package in PROVENANCE_PACKAGES:
        assert manifest[package] == metadata.version(package)
    assert manifest["git_dirty"] in ("true", "false", "unknown")
    if manifest["git_dirty"] == "true":
        assert re.fullmatch(r"[0-9a-f]{64}", manifest["git_diff_sha256"])
    else:
        assert manifest["git_diff_sha256"] == ""


def test_the_dirty_flag_follows_the_checkout():
    diff = subprocess.run(
        ["git", "diff", "HEAD", "--", "sim", "agents"], cwd=ROOT, capture_output=True, text=True
    )
    if diff.returncode != 0:  # not a git checkout (an installed copy): nothing to compare
        assert provenance()["git_dirty"] == "unknown"
        return
    assert provenance()["git_dirty"] == ("true" if diff.stdout else "false")
