"""Ownership: `--force` replaces only what a result recorded writing, for every command.

A result's manifest lists its files (size, SHA-256) and folders; a one-file result is recorded in
the user's journal. The families below change a result the way a user might (add a note, a
figure, a folder, a link; edit a file; copy a manifest into a folder of their own) and check that
`--force` then refuses, names what it did not write, and changes no byte; untouched, it
replaces.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.io import journal
from sim.io.store import foreign_files, is_result
from sim.present.cli import main

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

FAST = ["--years", "1"]


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry below `folder`: a file's bytes, a link's target, a folder's mark."""
    out: dict[str, bytes | str] = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = p.read_bytes()
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """One `run` result, copied by each example."""
    where = tmp_path_factory.mktemp("made") / "r"
    assert main(["run", *FAST, "--out", str(where)]) == 0
    return where


NAMES = st.text(st.characters(codec="ascii", categories=("L", "N")), min_size=1, max_size=12)


@st.composite
def changes(draw, folder: Path) -> list[tuple[str, str]]:
    """A user's changes to a result: (what, relative path)."""
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    kinds = st.sampled_from(["add", "add-deep", "dir", "link", "edit", "replace-by-dir"])
    out = []
    for kind in draw(st.lists(kinds, min_size=1, max_size=3)):
        if kind in ("edit", "replace-by-dir"):
            out.append((kind, draw(st.sampled_from(files))))
        else:
            out.append((kind, draw(NAMES)))
    return out


def apply(folder: Path, change: list[tuple[str, str]]) -> None:
    for kind, rel in change:
        target = folder / rel
        if kind == "add":
            target.with_name("note-" + rel).write_text("my notes")
        elif kind == "add-deep":
            (folder / "figures" / rel).mkdir(parents=True, exist_ok=True)
            (folder / "figures" / rel / "fig1.png").write_bytes(b"\x89PNG")
        elif kind == "dir":
            (folder / ("empty-" + rel)).mkdir(exist_ok=True)
        elif kind == "link":
            link = folder / ("link-" + rel)
            if not link.exists() and not link.is_symlink():
                link.symlink_to("/etc/hostname")
        elif kind == "edit" and target.is_file():
            target.write_bytes(target.read_bytes() + b"\n# mine")
        elif kind == "replace-by-dir" and target.is_file() and target.name != "manifest.json":
            target.unlink()
            target.mkdir()
            (target / "inside.txt").write_text("mine")


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_force_refuses_a_result_holding_anything_it_did_not_write(made, tmp_path, data, capsys):
    folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "r"
    shutil.copytree(made, folder, symlinks=True)
    change = data.draw(changes(made))
    apply(folder, change)
    foreign = foreign_files(folder)
    if not foreign:  # e.g. an edit that happened to be undone: nothing to protect
        return
    before = snapshot(folder)
    code = main(["run", *FAST, "--seed", "3", "--out", str(folder), "--force"])
    err = capsys.readouterr().err
    assert code == 2 and "did not write" in err and "Traceback" not in err
    assert foreign[0] in err  # names what it did not write
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    "command",
    [
        ["run", *FAST],
        ["compare", "--scenarios", "grd", "--replicates", "2", "--workers", "1", *FAST],
        ["whatif", "network", "--replicates", "2", "--workers", "1", *FAST],
    ],
)
def test_every_command_replaces_its_own_untouched_result_and_nothing_else(
    command, tmp_path, capsys
):
    out = tmp_path / "out"
    assert main([*command, "--out", str(out)]) == 0
    assert foreign_files(out) == []  # every file it wrote is recorded
    assert main([*command, "--out", str(out), "--force"]) == 0  # untouched: replaced
    (out / "my-notes.txt").write_text("mine")
    before = snapshot(out)
    capsys.readouterr()
    assert main([*command, "--out", str(out), "--force"]) == 2
    err = capsys.readouterr().err
    assert "my-notes.txt" in err and "Traceback" not in err
    assert snapshot(out) == before


def test_a_copied_manifest_does_not_make_a_folder_samenspels(made, tmp_path, capsys):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"two years of work")
    shutil.copy(made / "manifest.json", mine / "manifest.json")
    assert is_result(mine)  # it looks like one...
    assert main(["run", *FAST, "--out", str(mine), "--force"]) == 2  # ...but is not
    assert "thesis.docx" in capsys.readouterr().err
    assert (mine / "thesis.docx").read_bytes() == b"two years of work"


@pytest.mark.parametrize("how", ["written by hand", "a real one edited"])
def test_a_forged_manifest_listing_a_users_file_does_not_make_it_samenspels(
    made, tmp_path, capsys, how
):
    """A manifest that lists the user's own file with its true size and SHA-256 is still not
    samenspel's record: --force replaces only under a manifest samenspel recorded writing."""
    mine = tmp_path / "thesis"
    shutil.copytree(made, mine) if how == "a real one edited" else mine.mkdir()
    work = b"two years of work"
    (mine / "thesis.docx").write_bytes(work)
    listed = {"size": len(work), "sha256": hashlib.sha256(work).hexdigest()}
    path = mine / "manifest.json"
    data = json.loads(path.read_text()) if path.exists() else {"samenspel": "0", "dirs": []}
    data["files"] = {**data.get("files", {}), "thesis.docx": listed}
    path.write_text(json.dumps(data))
    before = snapshot(mine)
    assert main(["run", *FAST, "--out", str(mine), "--force"]) == 2
    assert "did not record writing" in capsys.readouterr().err
    assert snapshot(mine) == before


def test_a_result_of_an_older_samenspel_is_not_replaced(made, tmp_path, capsys):
    old = tmp_path / "old"
    shutil.copytree(made, old)
    data = json.loads((old / "manifest.json").read_text())
    del data["files"]
    (old / "manifest.json").write_text(json.dumps(data))
    before = snapshot(old)
    assert main(["run", *FAST, "--out", str(old), "--force"]) == 2
    assert "did not record writing" in capsys.readouterr().err
    assert snapshot(old) == before


def test_analyze_never_writes_onto_into_or_around_its_sweep(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text('name = "s"\nbase = "grd"\nyears = 1\n[design]\nkind = "list"\npoints = [{}]\n')
    sw = tmp_path / "sw"
    assert main(["sweep", str(spec), "--out", str(sw), "--in-process", "--no-progress"]) == 0
    (sw / "README.md").write_text("my notes on this sweep")
    before = snapshot(sw)
    for out in (sw, sw / "analysis", tmp_path):
        capsys.readouterr()
        assert main(["analyze", str(sw), "--out", str(out), "--force"]) == 2
        assert "beside the sweep" in capsys.readouterr().err
        assert snapshot(sw) == before
    assert main(["analyze", str(sw)]) == 0
    assert is_result(tmp_path / "sw-analysis") and snapshot(sw) == before


# --- one-file results ----------------------------------------------------------------------------


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=200) | st.just(b"samenspel:animate"), seed=st.integers(0, 9))
def test_animate_force_replaces_only_a_file_it_recorded_writing(tmp_path, content, seed, capsys):
    target = Path(tempfile.mkdtemp(dir=tmp_path)) / "page.html"
    target.write_bytes(content)  # the user's file, whatever it holds (even samenspel's mark)
    args = ["animate", "grd", "--seed", str(seed), "--out", str(target), "--force"]
    assert main(args) == 2
    assert "did not write" in capsys.readouterr().err
    assert target.read_bytes() == content


def test_animate_replaces_its_own_file_until_someone_changes_it(tmp_path, capsys):
    target = tmp_path / "a.html"
    args = ["animate", "grd", "--out", str(target)]
    assert main(args) == 0 and journal.wrote_file(target)
    assert main([*args, "--seed", "2", "--force"]) == 0  # its own, unchanged: replaced
    target.write_text(target.read_text() + "<!-- my remark -->")
    before = target.read_bytes()
    capsys.readouterr()
    assert main([*args, "--force"]) == 2
    assert "changed since" in capsys.readouterr().err
    assert target.read_bytes() == before
