"""A command line that teaches: lists, help, languages, warnings, where results went."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
from pydantic_core import PydanticUndefined

from sim.model.config import (
    Arrangement,
    Behaviour,
    Culture,
    Scenario,
    Shock,
    list_scenarios,
    load_arrangement_presets,
    load_scenario,
)
from sim.present import i18n
from sim.present.cli import main
from tests.conftest import samenspel

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

COMMANDS = [
    "run",
    "compare",
    "sweep",
    "calibrate",
    "analyze",
    "discover",
    "design",
    "validate",
    "animate",
    "app",
    "scenarios",
    "arrangements",
    "rules",
]


def cli(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


# --- lists -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_scenarios_lists_every_preset_with_its_description(lang, capsys):
    code, out, _ = cli(["scenarios", "--lang", lang], capsys)
    assert code == 0
    flat = " ".join(out.split())
    for name in list_scenarios():
        sc = load_scenario(name)
        assert f"  {name} (" in out
        assert " ".join(i18n.description(sc, lang).split()) in flat
    if lang == "nl":
        assert "meervoudig lokaal" in flat and "vanaf 2022" in flat


def test_every_preset_has_a_dutch_description():
    for name in list_scenarios():
        sc = load_scenario(name)
        assert sc.description and sc.description_nl and sc.description != sc.description_nl


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_arrangements_shows_every_arrangement_with_its_label(lang, capsys):
    code, out, _ = cli(["arrangements", "--lang", lang], capsys)
    assert code == 0
    header = " ".join(out.split("-" * 10)[0].split())
    for name, a in load_arrangement_presets().items():
        for word in i18n.label(a, lang).split():
            assert word in header, (name, word)
        assert name.split("-")[0] in header
    if lang == "nl":
        assert "Drechtraad" in header and "meervoudig" in header
        assert "0,80" in out  # the GRD's monitoring, with a decimal comma
        assert "fracties van" in out  # app.value.party_lines, wrapped in its cell
        assert "Maanden tussen" in out  # app.rule.meeting_interval_months
    else:
        assert "0.80" in out and "party groups of" in out


def _fields():
    for table, model in (
        ("scenario", Scenario),
        ("behaviour", Behaviour),
        ("culture", Culture),
        ("arrangement", Arrangement),
        ("shock", Shock),
    ):
        for name, info in model.model_fields.items():
            yield table, name, info


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_scenario_key_has_a_meaning_in_every_language(lang):
    for table, name, _ in _fields():
        assert i18n.text(f"rules.{table}.{name}", lang).strip(), (table, name)


def test_the_english_meaning_is_the_field_description():
    for table, name, info in _fields():
        assert i18n.text(f"rules.{table}.{name}", "en") == info.description


def test_rules_lists_every_field_with_its_default_and_where_it_goes(capsys):
    code, out, _ = cli(["rules"], capsys)
    assert code == 0
    sections = re.split(r"\n\n", out)
    where = {
        "scenario": "At the top",
        "behaviour": "[behaviour]",
        "culture": "[culture]",
        "arrangement": "[arrangements.NAME]",
        "shock": "[[shocks]]",
    }
    for table, name, info in _fields():
        (section,) = [s for s in sections if where[table] in s.splitlines()[0]]
        line = next((ln for ln in section.splitlines() if re.match(rf"  \[*{name}\]* ", ln)), None)
        assert line is not None, (table, name)
        if info.default is PydanticUndefined and info.default_factory is None:
            assert "required" in line
        elif isinstance(info.default, bool):
            assert f"default {str(info.default).lower()}" in line
        elif isinstance(info.default, int | float):
            assert f"default {info.default!r}" in line
    # salience_spread is a top-level key, not an arrangement's rule (the README's try-outs).
    top = next(s for s in sections if s.startswith("At the top"))
    assert "salience_spread" in top and "0.0 to 3.0" in top
    assert 'one of "vote", "party_lines", "provider"' in out


def test_rules_in_dutch(capsys):
    code, out, _ = cli(["rules", "--lang", "nl"], capsys)
    assert code == 0
    assert "Bovenaan het scenariobestand" in out and "verplicht" in out
    assert "uittreedsom" in out


# --- help, version ---------------------------------------------------------------------------


def test_version(capsys):
    code, out, _ = cli(["--version"], capsys)
    assert code == 0 and out.strip() == f"samenspel {metadata.version('samenspel')}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_description_an_example_and_its_defaults(command, tmp_path):
    r = samenspel([command, "--help"], tmp_path, COLUMNS="1000")
    assert r.returncode == 0
    text = r.stdout
    assert "examples:\n  samenspel " in text
    options = text.split("options:")[1].split("examples:")[0]
    entries = re.split(r"\n  (?=-)", options.strip())
    for entry in entries:
        if entry.startswith("-h, --help"):
            continue
        assert "default" in entry, entry


# --- the run summary -------------------------------------------------------------------------


def test_a_dutch_run_summary(tmp_path, capsys):
    code, out, _ = cli(
        [
            "run",
            "--scenario",
            "split-2022",
            "--years",
            "3",
            "--lang",
            "nl",
            "--out",
            str(tmp_path / "r"),
        ],
        capsys,
    )
    assert code == 0
    assert "voortgang per 1.000 vergaderuren (mln EUR)" in out
    assert re.search(r"nakoming \(betaald / toegezegd\)\s+\d,\d\d\n", out)
    assert "sociaal domein" in out and "mobiliteit" in out  # theme labels
    assert "gemeenteraadsverkiezingen: 1 (maart 2022" in out
    assert "geschreven naar" in out
    assert not re.search(r"\d\.\d\d\b(?!\d)", out.split("geschreven")[0].replace("1.000", ""))


def test_the_run_summary_lists_budget_shocks(tmp_path, capsys):
    scenario = tmp_path / "shocks.toml"
    scenario.write_text(
        'name = "shocks"\nyears = 4\nshock_probability = 1.0\n[governance]\nmobility = "network"\n'
        "[[shocks]]\nmonth = 1\ncut = 0.25\n"
    )
    code, out, _ = cli(["run", "--scenario", str(scenario), "--out", str(tmp_path / "r")], capsys)
    assert code == 0
    m = re.search(r"budget cuts: (\d+) \((.*)\)", out)
    assert m and int(m.group(1)) >= 1
    assert "February 2024: budget cut of 25%" in m.group(2)
    assert "budget cut of 20%" in m.group(2)  # a random one
    assert "council elections: 1 (March 2026" in out
    assert "progress per 1,000 meeting hours" in out


def test_run_and_compare_report_progress_per_meeting_hour_in_the_same_unit(tmp_path, capsys):
    cli(["run", "--years", "1", "--out", str(tmp_path / "r")], capsys)
    code, out, _ = cli(
        [
            "compare",
            "--scenarios",
            "grd",
            "--replicates",
            "2",
            "--years",
            "1",
            "--out",
            str(tmp_path / "c"),
        ],
        capsys,
    )
    assert code == 0
    assert "progress per 1,000 meeting hours (MEUR)" in out


# --- where results went ----------------------------------------------------------------------


def test_every_default_folder_taken_is_kept_and_said(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = ["run", "--years", "1", "--lang", "nl"]
    assert cli(run, capsys)[0] == 0
    code, out, _ = cli(run, capsys)
    first = Path("results") / "multiple-local-status-quo-seed0"
    assert code == 0 and f"geschreven naar {first}-2/" in out
    assert f"{first}/ bevat een eerder resultaat en blijft staan" in out
    cmp = ["compare", "--scenarios", "grd", "--replicates", "2", "--years", "1"]
    assert cli(cmp, capsys)[0] == 0
    code, out, _ = cli(cmp, capsys)
    assert code == 0 and "written to results/compare-2/" in out
    assert "results/compare/ holds an earlier result and is kept" in out
    code, out, _ = cli([*cmp, "--out", "results/compare", "--force"], capsys)
    assert code == 0 and "replacing the earlier result there" in out
    assert sorted(p.name for p in Path("results").iterdir()) == [
        "compare",
        "compare-2",
        "multiple-local-status-quo-seed0",
        "multiple-local-status-quo-seed0-2",
    ]


# --- warnings --------------------------------------------------------------------------------


def test_an_override_that_changes_nothing_is_a_warning(tmp_path, capsys):
    scenario = tmp_path / "mine.toml"
    scenario.write_text(
        'name = "mine"\nyears = 1\nsalience_spread = 1.0\n[governance]\nmobility = "mine"\n'
        '[arrangements.mine]\nbased_on = "network"\nmonitoring = 0.8\nsanction = 0.9\n'
    )
    code, _out, err = cli(
        ["run", "--scenario", str(scenario), "--out", str(tmp_path / "r")], capsys
    )
    assert code == 0
    lines = [ln for ln in err.splitlines() if ln.startswith("samenspel: warning:")]
    assert len(lines) == 1, err
    assert "arrangements.mine.monitoring = 0.8" in lines[0] and "'network'" in lines[0]
    assert "sanction" not in err and "salience_spread" not in err  # a change; a top-level key


def test_a_set_that_changes_nothing_is_a_warning(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(
        [
            "validate",
            "--checks",
            "p1-decay",
            "--seeds",
            "2",
            "--set",
            "behaviour.trust_loss=0.5",
            "--set",
            "behaviour.trust_gain=0.3",
            "--no-progress",
        ],
        capsys,
    )
    assert code in (0, 1)
    warnings = [ln for ln in err.splitlines() if "warning" in ln]
    assert warnings == [
        "samenspel: warning: --set behaviour.trust_loss=0.5 is the value every scenario has "
        "already; the option changes nothing"
    ]


def test_a_sweep_worker_loading_a_scenario_prints_nothing(tmp_path, capsys):
    from sim.model.config import scenario_from_dict

    data = {
        "name": "x",
        "governance": {"mobility": "mine"},
        "arrangements": {"mine": {"based_on": "network", "monitoring": 0.8}},
    }
    scenario_from_dict(data)
    assert capsys.readouterr() == ("", "")


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "--lang", "de"], "--lang"),
        (["compare", "--lang", "fr"], "--lang"),
        (["scenarios", "--lang", "xx"], "--lang"),
        (["arrangements", "--lang", ""], "--lang"),
        (["rules", "--lang", "EN"], "--lang"),
        (["rules", "extra"], "unrecognized"),
    ],
)
def test_bad_options_of_the_new_commands(argv, expected, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(argv, capsys)
    assert code == 2 and expected in err and "Traceback" not in err
    assert "'nl'" in err or "unrecognized" in err
    assert list(tmp_path.iterdir()) == []
