"""`samenspel animate`: one self-contained page (or video) per run, written safely."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sim.io import journal
from sim.model.config import Behaviour, Culture, load_scenario
from sim.model.model import RegionModel
from sim.present import animate
from sim.present.cli import main
from sim.present.view import STRIP, snapshots
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

LOOPBACK = re.compile(r"https?://(127\.0\.0\.1|localhost|\[::1\])[:/]")


def short(tmp_path: Path, preset: str, name: str, start_year: int | None = None) -> Path:
    """A one-year copy of a preset, for the slower tests."""
    text = (ROOT / "sim" / "data" / "scenarios" / f"{preset}.toml").read_text()
    text = re.sub(r'(?m)^name = ".*"$', f'name = "{name}"', text)
    text = re.sub(r"(?m)^years = \d+$", "years = 1", text)
    if start_year is not None:
        text = re.sub(r"(?m)^start_year = \d+$", f"start_year = {start_year}", text)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def data_of(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="samenspel-data">(.*?)</script>', page, re.S)
    assert m
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def pages():
    runs = [snapshots(load_scenario("split-2022"), 0), snapshots(load_scenario("network-2024"), 0)]
    return {
        "vs-nl": animate.render_html(runs, "nl", projector=True),
        "one-en": animate.render_html(runs[:1], "en"),
    }


def test_the_page_fetches_nothing(pages):
    for page in pages.values():
        refs = [u for u in re.findall(r"https?://[^\s\"'<>)]+", page) if not LOOPBACK.match(u)]
        assert refs == []
        assert not re.search(r"<script[^>]+src=", page)
        assert not re.search(r"<link[^>]+stylesheet", page)
        assert not re.search(r"@import|url\(", page)
        assert "default-src 'none'" in page
        assert animate.MARK in page


def test_the_page_is_small(pages):
    assert len(pages["one-en"].encode()) < 600_000
    assert len(pages["vs-nl"].encode()) < 1_200_000


def test_every_label_is_in_the_chosen_language(pages):
    nl = pages["vs-nl"]
    assert '<html lang="nl">' in nl and "Afspelen" in nl and "Kleur volgens" in nl
    data = data_of(nl)
    assert data["calendar"][0] == "januari 2022" and data["calendar"][50] == "maart 2026"
    assert data["states"][0]["label"] == "energie voor regionaal werk"
    first = data["runs"][0]
    assert any("," in f["st"][0] for f in first["frames"])  # decimal comma
    assert "verkiezingen" in first["frames"][50]["caption"]
    en = pages["one-en"]
    assert '<html lang="en">' in en and ">Play<" in en
    assert data_of(en)["calendar"][50] == "March 2026"


def test_side_by_side_shares_one_calendar(pages):
    data = data_of(pages["vs-nl"])
    assert len(data["calendar"]) == len(data["rows"]) == 144
    assert data["projector"] is True
    left, right = data["runs"]
    assert data["rows"][0] == [0, -1] and data["rows"][24] == [24, 0]
    assert len(left["frames"]) == len(right["frames"]) == 120
    assert right["notStarted"] == "begint in januari 2024"


def test_the_player_marks_payments(pages):
    data = data_of(pages["one-en"])
    rows = [m for f in data["runs"][0]["frames"] for m in f["m"]]
    paid = len(data["states"])  # a row: its states, then paid and withheld this month
    assert all(type(m[paid]) is int and type(m[paid + 1]) is int for m in rows)
    assert any(m[paid] for m in rows) and any(m[paid + 1] for m in rows)


# --- culture: ownership, the image of the centre, forums and conversations --------------------


@pytest.fixture(scope="module")
def culture() -> dict:
    """culture-first-2022 (a conversation every 6 months, a forum every 3) beside split-2022
    (neither), as the player gets them, in Dutch."""
    runs = [snapshots(load_scenario(n), 0) for n in ("culture-first-2022", "split-2022")]
    return {"runs": runs, "nl": data_of(animate.render_html(runs, "nl", projector=True))}


def test_each_municipality_shows_its_ownership_every_month(culture):
    run, data = culture["runs"][0], culture["nl"]
    shown = data["runs"][0]
    at = data["ownership"]
    assert data["states"][at] == {
        "key": "ownership",
        "label": "eigenaarschap van de thema's (gemiddeld)",
    }
    for frame, compacted in zip(run.frames, shown["frames"], strict=True):
        for m, row in zip(frame["municipalities"], compacted["m"], strict=True):
            assert 0.0 <= m["ownership"] <= 1.0
            assert row[at] == round(m["ownership"], 3)
    moved = {row[at] for f in shown["frames"] for row in f["m"]}
    assert len(moved) > 10  # it changes: with say, results and decisions over one's head
    assert shown["initial"]["m"][0][at] == 0.5  # the culture's initial_ownership
    assert "{ownership}" in data["words"]["tooltip"]
    assert "eigenaarschap" in data["words"]["own_legend"]


def test_forums_and_conversations_are_marked_on_the_timeline_and_in_the_caption(culture):
    shown = culture["nl"]["runs"][0]["frames"]
    forums = [t for t, f in enumerate(shown) if f["mk"] & animate.MARKED["forum"]]
    talks = [t for t, f in enumerate(shown) if f["mk"] & animate.MARKED["conversation"]]
    assert forums == list(range(2, 120, 3))  # every 3 months, from the third
    assert talks == list(range(5, 120, 6))
    for t in forums:
        assert "overleg over de samenwerking (vergeven tekortkomingen: " in shown[t]["caption"]
    for t in talks:
        assert "eerlijk gesprek over waar ieders belang ligt" in shown[t]["caption"]
    assert not any(f["mk"] for f in culture["nl"]["runs"][1]["frames"])  # split-2022: none
    words = culture["nl"]["words"]
    assert words["forum_mark"] == "overleg over de samenwerking"
    assert words["conversation_mark"] == "eerlijk gesprek"


def test_the_strip_shows_the_others_image_of_the_centre(culture):
    data = culture["nl"]
    assert tuple(k for k in STRIP if k != "ownership_mean") == animate.SHOWN  # the ring has it
    q = animate.SHOWN.index("image_of_centre")
    invested, kept = data["runs"]
    assert invested["strip"][q] == {
        "label": "beeld van het centrum (vertekening)",
        "unit": "",
        "when": "nu",  # a level as it stands, not added up
        "short": "beeld centrum",
    }
    image = Culture().image_of_centre
    assert kept["frames"][-1]["s"][q] == image  # no meeting of all: the image stays
    first, last = invested["frames"][0]["s"][q], invested["frames"][-1]["s"][q]
    meetings = 20 + 40  # conversations and forums: each corrects a share of the image
    assert first == image and last == pytest.approx(
        image * (1 - Behaviour().image_correction) ** meetings, abs=1e-4
    )
    values = [f["s"][q] for f in invested["frames"]]
    assert values == sorted(values, reverse=True)


def test_the_viewers_strip_reads_the_recorder_and_the_model():
    run = snapshots(load_scenario("culture-first-2022", years=1), 0)
    assert set(run.initial["strip"]) == set(STRIP) and set(run.initial["strip"].values()) == {None}
    model = RegionModel(load_scenario("culture-first-2022", years=1), seed=0)
    for frame in run.frames:
        model.step()
        row = model.recorder.rows[-1]
        assert frame["strip"]["ownership_mean"] == row["ownership_mean"]
        c = model.centre.index
        others = [model.trust.images[i, c] for i in range(len(model.municipalities)) if i != c]
        assert frame["strip"]["image_of_centre"] == pytest.approx(sum(others) / len(others))


def test_short_names():
    assert animate.short_name("Hendrik-Ido-Ambacht") == "HIA"
    assert animate.short_name("Dordrecht") == "Dordr."
    assert animate.short_name("Gouda") == "Gouda"


# --- the command line ------------------------------------------------------------------------


def test_animate_writes_to_the_first_free_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    scenario = short(tmp_path, "split-2022", "tiny")
    assert main(["animate", str(scenario)]) == 0
    first = tmp_path / "results" / "animate-tiny.html"
    assert first.is_file() and journal.wrote_file(first)
    assert "written to results/animate-tiny.html" in capsys.readouterr().out
    assert main(["animate", str(scenario), "--lang", "nl"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "results" / "animate-tiny-2.html").is_file()
    assert "geschreven naar results/animate-tiny-2.html" in out
    assert "--out results/animate-tiny.html --force" in out
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == [
        "animate-tiny-2.html",
        "animate-tiny.html",
    ]


def test_vs_names_both(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    a = short(tmp_path, "split-2022", "tiny")
    b = short(tmp_path, "network-2024", "tiny-net", start_year=2022)
    assert main(["animate", str(a), "--vs", str(b), "--out", "both.html"]) == 0
    data = data_of((tmp_path / "both.html").read_text())
    assert [r["title"] for r in data["runs"]] == ["tiny", "tiny-net"]
    assert data["rows"] == [[t, t] for t in range(12)]


def test_never_replaces_a_file_samenspel_did_not_write(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "notes.html"
    mine.write_text("<p>my notes</p>")
    scenario = short(tmp_path, "split-2022", "tiny")
    assert main(["animate", str(scenario), "--out", str(mine), "--force"]) == 2
    err = capsys.readouterr().err
    assert "did not write" in err and "Traceback" not in err
    assert mine.read_text() == "<p>my notes</p>"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".samenspel")] == []


def test_replaces_its_own_file_only_with_force(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    scenario = short(tmp_path, "split-2022", "tiny")
    out = tmp_path / "a.html"
    assert main(["animate", str(scenario), "--out", str(out)]) == 0
    before = out.read_text()
    assert main(["animate", str(scenario), "--out", str(out), "--seed", "5"]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text() == before
    assert main(["animate", str(scenario), "--out", str(out), "--seed", "5", "--force"]) == 0
    assert "replacing" in capsys.readouterr().out
    assert out.read_text() != before and journal.wrote_file(out)


def test_a_folder_is_not_a_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir").mkdir()
    assert main(["animate", "split-2022", "--out", "dir"]) == 2
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["nope"], "scenario 'nope' not found"),
        (["split-2022", "--vs", "nope"], "--vs: scenario 'nope' not found"),
        (["split-2022", "--lang", "fr"], "--lang"),
        (["split-2022", "--seed", "-1"], "--seed"),
        (["split-2022", "--seed", "x"], "--seed"),
        (["split-2022", "--format", "avi"], "--format"),
        (["split-2022", "--format", "gif", "--out", "a.mp4"], "--format"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(args, named, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert exit_status(["animate", *args]) == 2
    err = capsys.readouterr().err
    assert named in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def exit_status(argv: list[str]) -> int:
    """main's exit status, also where argparse exits on a usage error."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_bad_input_in_a_new_process_shows_no_traceback(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "sim.present.cli", "animate", "split-2022", "--lang", "de"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "--lang" in out.stderr and "'de'" in out.stderr and "'nl'" in out.stderr
    assert "Traceback" not in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_leftover_of_a_killed_write_is_removed_and_nothing_else(tmp_path, monkeypatch):
    """What a killed write noted in the journal goes; a file that only looks like a leftover
    (the same kind of name, never noted) stays."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    leftover = tmp_path / "results" / ".samenspel-tmp-1-abcd1234-animate-tiny.html"
    lookalike = tmp_path / "results" / ".samenspel-tmp-2-abcd1234-animate-tiny.html"
    lookalike.write_text("mine")
    killed = (
        "import os, sys; from sim.io import journal; note = journal.Pending(); "
        "note.add(sys.argv[1]); open(sys.argv[1], 'w').write('half'); os._exit(137)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", killed, str(leftover)], env=env, check=False)
    assert leftover.read_text() == "half"
    scenario = short(tmp_path, "split-2022", "tiny")
    assert main(["animate", str(scenario)]) == 0
    assert not leftover.exists()
    assert lookalike.read_text() == "mine"


# --- videos ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["gif", "mp4"])
def test_video(fmt, tmp_path, monkeypatch, capsys):
    pytest.importorskip("imageio_ffmpeg" if fmt == "mp4" else "PIL")
    import imageio.v2 as iio

    monkeypatch.chdir(tmp_path)
    a = short(tmp_path, "split-2022", "tiny")
    args = ["animate", str(a), "--format", fmt, "--no-progress", "--lang", "nl"]
    assert main(args) == 0
    path = tmp_path / "results" / f"animate-tiny.{fmt}"
    assert path.is_file() and journal.wrote_file(path)
    frames = iio.mimread(path, memtest=False)
    assert len(frames) == 12
    assert frames[0].shape[:2] == (1080, 1920)  # a projector's 1080p, GIF and MP4 alike
    assert main([*args, "--out", str(path)]) == 2  # its own file, but no --force


def test_the_format_follows_the_out_suffix():
    assert animate.output_format(None, Path("x.gif")) == "gif"
    assert animate.output_format(None, Path("x.html")) == "html"
    assert animate.output_format(None, None) == "html"
    assert animate.output_format("mp4", Path("x.MP4")) == "mp4"
    assert animate.output_format(None, "page.htm") == "html"


def test_the_model_side_loads_no_drawing_or_web_code():
    code = (
        "import sys; import sim.model.model, sim.present.view, sim.present.i18n; "
        "print(sorted(m for m in ('plotly', 'matplotlib', 'imageio', 'PIL') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.stdout.strip() == "[]"


# --- names, legend, the end of a run ------------------------------------------------------------


def test_the_page_and_the_video_place_the_names_alike(pages):
    """Both draw from `page_data`: the layouts in the page's JSON are sim/present/labels.py's
    for the run's circles, and a video is drawn from that same data."""
    from sim.present.labels import UNIT, Label, layouts
    from sim.present.view import snapshots as runs_of

    run = runs_of(load_scenario("split-2022"), 0)
    munis = run.meta["municipalities"]
    spots = [(m["x"] * UNIT, m["y"] * UNIT, m["r"] * UNIT) for m in munis]
    expected = layouts(spots, [Label(m["name"], "✓9", "✗9") for m in munis])
    assert data_of(pages["one-en"])["runs"][0]["layouts"] == expected
    assert animate.page_data([run], "en")["runs"][0]["layouts"] == expected
    assert data_of(pages["one-en"])["runs"][0]["munis"][3]["lines"] == ["Hendrik-", "Ido-Ambacht"]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_legend_names_every_symbol_and_short_name(pages, lang):
    page = pages["one-en" if lang == "en" else "vs-nl"]
    footer = re.search(r"<footer.*?</footer>", page, re.S)
    assert footer
    text = re.sub(r"<[^>]+>", " ", footer.group(0))
    for short, name in (
        ("Dordr.", "Dordrecht"),
        ("HIA", "Hendrik-Ido-Ambacht"),
        ("HG", "Hardinxveld-Giessendam"),
    ):
        assert f"{short} {name}" in text
    words = {
        "en": [
            "● 7",
            "○",
            "✓",
            "✗",
            "free-riding",
            "this month",
            "from the start",
            "ring",
            "dashed",
        ],
        "nl": [
            "● 7",
            "○",
            "✓",
            "✗",
            "meeliften",
            "deze maand",
            "vanaf het begin",
            "ring",
            "gestreept",
        ],
    }[lang]
    for word in words:
        assert word in text, word
    data = data_of(page)
    assert [d["kind"] if isinstance(d, dict) else d[0] for d in data["legend"]][:5] == [
        "own",
        "trust",
        "tables",
        "paid",
        "withheld",
    ]  # what a video draws at its foot: the same items


def test_a_run_that_ended_says_when(pages):
    data = data_of(pages["vs-nl"])
    split, network = data["runs"]
    assert split["ended"] == "afgelopen in december 2031"
    assert data["calendar"][split["lastCalendar"]] == "december 2031"
    assert data["calendar"][network["lastCalendar"]] == "december 2033"
    assert data["words"]["caption_more"] == "… en nog {count}"
