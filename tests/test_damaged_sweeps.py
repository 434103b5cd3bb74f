"""Damaged sweep folders: `--resume` and `analyze` repair what a kill explains, refuse the rest
(exit 2, one message, no byte changed), never read or touch what is not the sweep's.

Hypothesis generates the damage: files truncated, bytes corrupted, a file replaced by a folder
or a folder by a file, files deleted, garbage lines, an edited spec, a manifest that is not a
table, stray files and folders, parts copied in. Whatever it is, the outcome is one of two:
exit 0 with exactly the rows of the undamaged sweep, or exit 2 with the folder unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.present.cli import main
from sim.study.sweep import load_results
from tests.test_sweep_safety import write_spec

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

LOCK = ".samenspel.lock"  # the writer lock: its holder's note is rewritten by every writer


def snapshot(folder: Path) -> dict[str, bytes | str]:
    out: dict[str, bytes | str] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if rel == LOCK:
            continue
        out[rel] = "dir" if p.is_dir() and not p.is_symlink() else p.read_bytes()
    return out


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> tuple[Path, Path, pd.DataFrame]:
    """A finished sweep of 16 runs in several batches, with series, and its rows."""
    base = tmp_path_factory.mktemp("whole")
    spec = write_spec(base, replicates=2)
    out = base / "sweep"
    args = ["sweep", str(spec), "--out", str(out), "--in-process", "--no-progress"]
    assert main(args) == 0
    runs, _ = load_results(out)
    assert len(list((out / "runs").glob("part-*"))) >= 4
    return spec, out, runs.drop(columns="duration")


def files_of(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@st.composite
def damage(draw, folder: Path) -> list[tuple]:
    files = [f for f in files_of(folder) if f != LOCK]
    ops = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(list(DAMAGE)))
        target = draw(st.sampled_from(files))
        ops.append(
            (kind, target, draw(st.integers(0, 10**6)), draw(st.binary(min_size=1, max_size=8)))
        )
    return ops


def _truncate(folder: Path, path: Path, n: int, junk: bytes) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: n % (len(data) + 1)])


def _corrupt(folder: Path, path: Path, n: int, junk: bytes) -> None:
    data = bytearray(path.read_bytes())
    if data:
        at = n % len(data)
        data[at : at + len(junk)] = junk
        path.write_bytes(bytes(data))


def _to_dir(folder: Path, path: Path, n: int, junk: bytes) -> None:
    path.unlink()
    path.mkdir()


def _stray(folder: Path, path: Path, n: int, junk: bytes) -> None:
    where = path.parent if path.parent.is_dir() else folder
    (where / f".notes-{n}").write_bytes(junk)


def _garbage(folder: Path, path: Path, n: int, junk: bytes) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(n % (len(lines) + 1), b"not json " + junk.hex().encode() + b"\n")
    path.write_bytes(b"".join(lines))


def _dir_to_file(folder: Path, path: Path, n: int, junk: bytes) -> None:
    shutil.rmtree(folder / "series")
    (folder / "series").write_bytes(junk)


def _edit_spec(folder: Path, path: Path, n: int, junk: bytes) -> None:
    text = (folder / "spec.toml").read_bytes()  # bytes: an earlier damage may have left no UTF-8
    (folder / "spec.toml").write_bytes(text.replace(b"master_seed = 7", b"master_seed = 8"))


DAMAGE = {  # kind: (applies to the folder and path?, what it does)
    "truncate": (lambda f, p: p.is_file(), _truncate),
    "corrupt": (lambda f, p: p.is_file(), _corrupt),
    "to-dir": (lambda f, p: p.is_file(), _to_dir),
    "delete": (lambda f, p: p.is_file(), lambda f, p, n, j: p.unlink()),
    "stray": (lambda f, p: True, _stray),
    "garbage": (lambda f, p: p.name.endswith(".log") and p.is_file(), _garbage),
    "copy-part": (
        lambda f, p: p.is_file() and p.relative_to(f).as_posix().startswith("runs/part-"),
        lambda f, p, n, j: shutil.copy(p, p.with_name(f"part-copy-{n}.parquet")),
    ),
    "dir-to-file": (lambda f, p: (f / "series").is_dir(), _dir_to_file),
    "manifest-string": (
        lambda f, p: True,
        lambda f, p, n, j: (f / "manifest.json").write_text(json.dumps("a string")),
    ),
    "edit-spec": (lambda f, p: (f / "spec.toml").is_file(), _edit_spec),
}


def apply(folder: Path, ops: list[tuple]) -> None:
    for kind, rel, n, junk in ops:
        applies, damage_it = DAMAGE[kind]
        if applies(folder, folder / rel):
            damage_it(folder, folder / rel, n, junk)


def outcome(argv: list[str], capsys) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


SETTINGS = settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(data=st.data())
def test_resume_repairs_what_a_kill_explains_and_refuses_the_rest(whole, data, capsys):
    spec, made, rows = whole
    folder = Path(tempfile.mkdtemp()) / "sweep"
    shutil.copytree(made, folder)
    ops = data.draw(damage(made))
    apply(folder, ops)
    before = snapshot(folder)
    strays = {k: v for k, v in before.items() if ".notes-" in k or "part-copy-" in k}
    argv = ["sweep", str(spec), "--out", str(folder), "--resume", "--in-process", "--no-progress"]
    code, err = outcome(argv, capsys)
    event(f"resume, exit {code}: {'+'.join(sorted({op[0] for op in ops}))}")
    assert "Traceback" not in err
    assert code in (0, 2), err
    if code == 2:
        assert err.count("samenspel: error:") == 1
        assert snapshot(folder) == before, f"changed on refusal: {ops}"
    else:
        runs, _ = load_results(folder)
        pd.testing.assert_frame_equal(runs.drop(columns="duration"), rows, check_exact=True)
        after = snapshot(folder)
        assert {k: after.get(k) for k in strays} == strays  # left alone
    shutil.rmtree(folder.parent)


@SETTINGS
@given(data=st.data())
def test_analyze_reads_only_an_intact_finished_sweep(whole, data, capsys):
    _spec, made, rows = whole
    folder = Path(tempfile.mkdtemp()) / "sweep"
    shutil.copytree(made, folder)
    ops = data.draw(damage(made))
    apply(folder, ops)
    before = snapshot(folder)
    code, err = outcome(["analyze", str(folder)], capsys)
    event(f"analyze, exit {code}: {'+'.join(sorted({op[0] for op in ops}))}")
    assert "Traceback" not in err and code in (0, 2), err
    assert snapshot(folder) == before  # analyze never changes the sweep
    if code == 0:  # it read exactly the undamaged rows
        runs, _ = load_results(folder)
        pd.testing.assert_frame_equal(runs.drop(columns="duration"), rows, check_exact=True)
    else:
        assert err.count("samenspel: error:") == 1
    shutil.rmtree(folder.parent)


def test_a_tampered_part_is_named_and_nothing_changes(whole, tmp_path, capsys):
    spec, made, _ = whole
    folder = tmp_path / "sweep"
    shutil.copytree(made, folder)
    part = sorted((folder / "runs").glob("part-*"))[0]
    extra = pd.concat([pd.read_parquet(part)] * 2)  # 45 rows for 40 runs, as in the audit
    extra.to_parquet(part, index=False)
    before = snapshot(folder)
    for argv in (
        ["sweep", str(spec), "--out", str(folder), "--resume", "--in-process", "--no-progress"],
        ["analyze", str(folder)],
    ):
        code, err = outcome(argv, capsys)
        assert code == 2 and part.name in err and "changed since" in err
        assert snapshot(folder) == before


def test_analyze_waits_for_an_unfinished_sweep_unless_partial(whole, tmp_path, capsys):
    _spec, made, _ = whole
    folder = tmp_path / "sweep"
    shutil.copytree(made, folder)
    part = sorted((folder / "runs").glob("part-*"))[0]
    part.unlink()  # as if its batch never ran
    code, err = outcome(["analyze", str(folder)], capsys)
    assert code == 2 and "--partial" in err and "of its 16 runs" in err
    code, err = outcome(["analyze", str(folder), "--partial"], capsys)
    assert code == 0 and "--partial" in err


@pytest.mark.parametrize("kind", ["folder", "fifo", "socket", "link", "dangling-link", "hard-link"])
def test_a_writer_lock_that_is_not_a_plain_file_is_refused(whole, tmp_path, capsys, kind):
    """The lock is created by the sweep; anything else in its place is the user's, and kept."""
    spec, made, _ = whole
    folder = tmp_path / "sweep"
    shutil.copytree(made, folder)
    lock = folder / LOCK
    lock.unlink(missing_ok=True)
    if kind == "folder":
        lock.mkdir()
        (lock / "notes.txt").write_text("mine")
    elif kind == "fifo":
        os.mkfifo(lock)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(lock))
    elif kind == "hard-link":
        (tmp_path / "target.txt").write_text("mine")
        os.link(tmp_path / "target.txt", lock)
    else:
        target = tmp_path / ("nowhere" if kind == "dangling-link" else "target.txt")
        if kind == "link":
            target.write_text("mine")
        lock.symlink_to(target)
    before = {p.name: p.lstat().st_mode for p in folder.iterdir()}
    argv = ["sweep", str(spec), "--out", str(folder), "--resume", "--in-process", "--no-progress"]
    code, err = outcome(argv, capsys)
    assert code == 2 and err.count("samenspel: error:") == 1 and "Traceback" not in err
    assert LOCK in err and "changed nothing" in err
    assert {p.name: p.lstat().st_mode for p in folder.iterdir()} == before
    if kind in ("link", "hard-link"):
        assert (tmp_path / "target.txt").read_text() == "mine"


@pytest.mark.parametrize("log", ["status.log", "written.log"])
def test_a_log_with_another_name_is_refused_untouched(whole, tmp_path, capsys, log):
    """samenspel appends to its logs: a log hard-linked to a user's file would change that file."""
    spec, made, _ = whole
    folder = tmp_path / "sweep"
    shutil.copytree(made, folder)
    part = sorted((folder / "runs").glob("part-*"))[0]
    part.unlink()  # work left to do: the resume would append
    mine = tmp_path / "mine.log"
    os.link(folder / log, mine)
    before = mine.read_bytes()
    argv = ["sweep", str(spec), "--out", str(folder), "--resume", "--in-process", "--no-progress"]
    code, err = outcome(argv, capsys)
    assert code == 2 and "hard link" in err and "Traceback" not in err
    assert mine.read_bytes() == before


def test_force_never_replaces_a_sweep(whole, tmp_path, capsys):
    """A sweep may hold hours of runs: run, compare, whatif and analyze with --force leave it."""
    _spec, made, _ = whole
    folder, other = tmp_path / "sweep", tmp_path / "other"
    shutil.copytree(made, folder)
    shutil.copytree(made, other)
    before = snapshot(folder)
    for argv in (
        ["run", "--years", "1", "--out", str(folder), "--force"],
        ["compare", "--years", "1", "--replicates", "2", "--out", str(folder), "--force"],
        ["analyze", str(other), "--out", str(folder), "--force"],
    ):
        code, err = outcome(argv, capsys)
        assert code == 2 and "never replaces a sweep" in err, (argv, err)
        assert snapshot(folder) == before
