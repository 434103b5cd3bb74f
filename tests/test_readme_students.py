"""The README's section for students, run as a student would copy it.

Every ``sh`` block of the section is run line by line, in order, in a fresh folder that has the
clone's ``sim/`` (as a student's clone does) and an empty ``experiments/``; every ``toml`` block
whose first line names a file (``# experiments/mine.toml``) is written there first. ``make
setup`` has been done by whoever runs the tests, and ``source .venv/bin/activate`` is what puts
this interpreter's ``bin/`` on the PATH, so both are taken as done. A line passes when it exits
0 with no traceback and says where its results went, if it wrote any.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

SETUP = ("make setup", "source .venv/bin/activate")
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def students_section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## For students")
    return readme[start : readme.index("\n## ", start + 1)]


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(students_section())]


def commands() -> list[str]:
    lines = []
    for kind, body in blocks():
        if kind == "sh":
            for line in body.splitlines():
                line = line.split("  #")[0].strip()
                if line and not line.startswith("#"):
                    lines.append(line)
    return lines


def test_the_section_shows_the_setup_and_the_student_commands():
    shown = commands()
    assert shown[: len(SETUP)] == list(SETUP)  # the venv is set up and activated first
    assert any(c.startswith("samenspel whatif dordrecht-service") for c in shown)
    assert all(c.startswith("samenspel ") for c in shown[len(SETUP) :]), shown


def test_every_thing_to_try_is_a_file_and_every_file_is_a_thing_to_try():
    section = students_section()
    tries = section[section.index("**Things to try.**") :]
    named = set(re.findall(r"`([a-z0-9-]+\.toml)`", tries))
    files = {p.name for p in (ROOT / "sim" / "data" / "tries").glob("*.toml")}
    assert named == files
    for name in files:  # each says which key it sets, and the file sets it where it says
        item = next(line for line in tries.split("\n- ") if f"`{name}`" in line)
        text = (ROOT / "sim" / "data" / "tries" / name).read_text()
        for table in re.findall(r"`(\[[^`]+\])`", item):
            assert table in text, f"{name}: the README says {table}, the file has no such table"


def test_the_students_recipe_runs_as_written(tmp_path):
    (tmp_path / "sim").symlink_to(ROOT / "sim", target_is_directory=True)
    (tmp_path / "experiments").mkdir()
    for kind, body in blocks():
        first = body.splitlines()[0]
        if kind == "toml" and first.startswith("# "):
            target = tmp_path / first.removeprefix("# ").strip()
            target.write_text(body)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
    }
    ran = 0
    for line in commands():
        if line in SETUP:
            continue
        done = subprocess.run(
            ["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"{line}\n{done.stderr}"
        assert "Traceback" not in done.stderr, f"{line}\n{done.stderr}"
        if "--out" in line or line.split()[1] in ("run", "compare", "whatif"):
            assert re.search(r"(written to|geschreven naar) ", done.stdout), line
        ran += 1
    assert ran >= 5
    assert (tmp_path / "results" / "whatif-dordrecht-service" / "whatif.html").is_file()
    assert (tmp_path / "results" / "whatif-mine" / "whatif.html").is_file()


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_scenario_a_student_writes_loads_in_both_languages(tmp_path, lang):
    from tests.conftest import samenspel

    body = next(b for k, b in blocks() if k == "toml")
    (tmp_path / "mine.toml").write_text(body)
    done = samenspel(["run", "--scenario", "mine.toml", "--years", "1", "--lang", lang], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr  # every line of the example changes something
