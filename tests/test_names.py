"""Every name a person gives samenspel, on the command line or inside a spec, is checked before
anything is looked up or written (issue 18: a 300-byte name ended in an OSError traceback).

A name the file system cannot hold (a part over 255 bytes, a path over 4,096, a NUL) is
refused at every place a name goes in: exit 2, one message naming where, no traceback, and
the working folder as it was.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.present.cli import main
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

letters = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8)
bad_names = st.one_of(
    st.builds(lambda s: s * (256 // len(s.encode()) + 1) + ".toml", letters),
    st.builds(lambda s: "/".join([s * 30] * 200), letters),  # a path past 4,096 bytes
    st.builds(lambda a, b: f"{a}\x00{b}.toml", letters, letters),
    st.builds(lambda s: f"{s * 300}/x.toml", letters),  # a folder part too long
)

SPEC = """name = "n"
base = "{base}"
years = 1
replicates = 1
master_seed = 7
[design]
kind = "full_factorial"
[parameters]
"behaviour.trust_loss" = {{ values = [0.1, 0.3] }}
"""
CALIBRATION = (ROOT / "experiments" / "calibration-smoke.toml").read_text()

PLACES = {
    "run scenario": lambda n: ["run", "--scenario", n],
    "run --out": lambda n: ["run", "--years", "1", "--out", n],
    "compare scenarios": lambda n: ["compare", "--scenarios", n, "--replicates", "2"],
    "compare --out": lambda n: ["compare", "--years", "1", "--replicates", "2", "--out", n],
    "whatif alternative": lambda n: ["whatif", n, "--replicates", "2"],
    "whatif --base": lambda n: ["whatif", "network-2024", "--base", n, "--replicates", "2"],
    "whatif --out": lambda n: ["whatif", "network-2024", "--replicates", "2", "--out", n],
    "animate scenario": lambda n: ["animate", n],
    "animate --out": lambda n: ["animate", "split-2022", "--out", n],
    "sweep spec": lambda n: ["sweep", n],
    "sweep --out": lambda n: ["sweep", "spec.toml", "--out", n],
    "spec base": lambda n: ["sweep", "spec.toml"],
    "analyze sweep": lambda n: ["analyze", n],
    "calibrate spec": lambda n: ["calibrate", n],
    "calibrate --out": lambda n: ["calibrate", "cal.toml", "--out", n],
    "calibration base": lambda n: ["calibrate", "cal.toml"],
    "validate --set": lambda n: ["validate", "--set", n],
}


def listing(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")}


@pytest.mark.parametrize("place", sorted(PLACES))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=bad_names)
def test_a_name_the_file_system_cannot_hold_is_refused_wherever_it_goes(place, name):
    work = Path(tempfile.mkdtemp())
    base = name if place.endswith(" base") else "multiple-local-status-quo"
    (work / "spec.toml").write_text(SPEC.format(base=base.replace("\x00", "\\u0000")))
    cal = CALIBRATION.replace('base = "multiple-local-status-quo"', f'base = "{base}"')
    (work / "cal.toml").write_text(cal.replace("\x00", "\\u0000"))
    before = listing(work)
    old = Path.cwd()
    os.chdir(work)
    try:
        code, err = run(PLACES[place](name))
    finally:
        os.chdir(old)
    assert code == 2, (place, err)
    assert err.count("samenspel") == 1 and "Traceback" not in err, err
    assert listing(work) == before


def run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, err.getvalue()
