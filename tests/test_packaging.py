"""An installed samenspel (not editable) works from any folder: the presets travel with it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own


def test_a_non_editable_install_compares_the_presets_from_any_folder(tmp_path):
    # Built from a copy of the source, so no build folder of an earlier build can help it.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "results", "build", "*.egg-info", "__pycache__", ".*cache"
        ),
    )
    target = tmp_path / "site"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-v",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    # setuptools' warning for a folder Python can import but `packages` does not list (sim.data
    # before it was found): "Package 'sim.data' is absent from the `packages` configuration."
    log = build.stdout + build.stderr
    assert "absent from the `packages` configuration" not in log
    assert "Package would be ignored" not in log
    assert (target / "sim" / "data" / "scenarios" / "network-2024.toml").is_file()
    # the posterior every command draws its plausible worlds from travels with the package
    for name in ("particles.csv", "manifest.json", "ranges.csv", "checks-over-worlds.csv"):
        assert (target / "sim" / "data" / "posterior" / name).is_file(), name
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}  # the installed copy, not the source tree

    def samenspel(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(target / "bin" / "samenspel"), *args],  # the installed console script
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import sim; print(sim.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(target)
    listed = samenspel("scenarios")
    assert listed.returncode == 0 and "network-2024" in listed.stdout
    done = samenspel("compare", "--replicates", "2", "--years", "1", "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert (work / "results" / "compare" / "report.html").is_file()
