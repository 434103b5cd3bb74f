"""Dutch as a native writer would write it (issue 23, point 5): no calques, no English left over,
one name per theme.

The forbidden phrases are data (CALQUES below): each with why it is wrong and what a Dutch
writer writes instead. They are checked over every Dutch word samenspel shows a person: the
catalogue (sim/data/i18n/nl.toml, one test per table), the outcome catalogue's Dutch labels
(sim/model/outcomes.py), the data files' Dutch labels and descriptions (themes, arrangements,
scenarios), and the printed output of a few cheap commands run with --lang nl. Code is not prose:
placeholders, `code spans`, --options and their argument, file names and paths, dotted and
snake_case keys, TOML tables and scenario ids are taken out before the check (`prose`).

The terms follow the lead's decisions for issue 23: commitment -> nakoming, seed -> startgetal
(in prose: herhalingen), run -> simulatie, preset -> standaardscenario, rule set ->
regelpakket, missing -> ontbreekt, not applicable -> n.v.t., mobility -> mobiliteit.
"""

from __future__ import annotations

import contextlib
import io
import re
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import pytest

from sim.model.config import load_arrangement_presets, load_themes
from sim.model.outcomes import CATALOGUE, EVENTS, MUNICIPAL, outcome
from sim.present import i18n
from sim.present.cli import main
from sim.study.validation import CHECKS


class Calque(NamedTuple):
    """A phrase no Dutch text may hold: a regular expression (case-insensitive, on prose with
    its whitespace collapsed), why it is wrong, and what to write instead."""

    pattern: str
    why: str
    dutch: str


CALQUES: tuple[Calque, ...] = (
    Calque(r"\bcommitment\b", "English word left in Dutch text", "nakoming"),
    Calque(
        r"seeds?\b",
        "English; a reader does not know what a seed is",
        "startgetal; in prose: herhalingen",
    ),
    Calque(r"\bruns?\b", "English word left in Dutch text", "simulatie (per simulatie)"),
    Calque(r"\bpresets?\b", "English word left in Dutch text", "standaardscenario"),
    Calque(r"\bvoorinstelling", "calque of 'preset'", "standaardscenario"),
    Calque(r"\bregelsets?\b", "calque of 'rule set'", "regelpakket"),
    Calque(
        r"(?<![\w.])n\.b\.",
        "reads as 'nota bene'",
        "n.v.t. (not applicable) or ontbreekt (missing)",
    ),
    Calque(r"\bn/a\b", "English abbreviation", "n.v.t."),
    Calque(r"\d+\s*uren\b", "after a number Dutch counts in the singular", "576 uur"),
    Calque(r"\(uren\)", "a unit is singular", "(uur)"),
    Calque(r"\bkleur naar\b", "calque of 'colour by'", "Kleur volgens"),
    Calque(
        r"\bdrempel voor aanname\b",
        "'aanname' is an assumption, not an adoption",
        "drempel om aan te nemen",
    ),
    Calque(
        r"maatwerk-passing", "invented term for 'tailoring fit'", "aansluiting op lokale wensen"
    ),
    Calque(
        r"\bhelling van voorwaardelijke\b",
        "invented term (a slope)",
        "hoe sterk voorwaardelijke samenwerkers de anderen volgen",
    ),
    Calque(
        r"\bvoltooiing die als geleverd telt\b",
        "invented term",
        "deel van een project dat af moet zijn om als geleverd te tellen",
    ),
    Calque(r"\bfree[- ]?rid", "English word left in Dutch text", "meeliften"),
    Calque(
        r"\btailoring\b",
        "English word left in Dutch text",
        "maatwerk; tailoring fit: aansluiting op lokale wensen",
    ),
    Calque(
        r"\bbereikbaarheid\b",
        "a second name for the mobility theme",
        "mobiliteit (sim/data/themes.toml)",
    ),
    Calque(
        r"\b(?:mobility|housing|social domain|business operations|energy transition|youth)\b",
        "English theme name in Dutch text",
        "the theme's label_nl (sim/data/themes.toml)",
    ),
    Calque(
        r"\bdienstverlenende gemeente was\b",
        "an unreal condition takes 'zou zijn'",
        "Wat als Dordrecht ... dienstverlenende gemeente zou zijn?",
    ),
    Calque(
        r"^meervoudig lokaal (?:zakt|daalt|neemt|stijgt)",
        "a bare arrangement name is no adverb",
        "Onder meervoudig lokaal daalt de nakoming",
    ),
    Calque(
        r"\bgeeft \w+ geen (?:duidelijk )?verschil\b",
        "calque of 'gives no clear difference'",
        "maakt ... geen duidelijk verschil",
    ),
    Calque(r"\bsnor\b", "calque of 'whisker'", "foutbalk"),
    Calque(
        r"\bapply\b|\breset\b|\bbaseline\b",
        "English word left in Dutch text",
        "toepassen; opnieuw beginnen; basislijn",
    ),
)


# --- code is not prose ----------------------------------------------------------------------


def _ids() -> list[str]:
    """Names of things samenspel writes as code: every data file's stem (scenarios, tries,
    ...), arrangement keys, the checks' keys. Not the themes' keys: in Dutch text "mobility" is
    English, not code."""
    data = Path(str(resources.files("sim.data")))
    names = {p.stem for p in data.rglob("*.toml") if "i18n" not in p.parts}  # not "en", "nl"
    names |= set(load_arrangement_presets()) | {c.key for c in CHECKS}
    return sorted(names, key=len, reverse=True)


CODE = (
    r"`[^`]*`",  # code spans
    r"\{[^{}]*\}",  # placeholders
    r"<[^>]*>",  # HTML tags
    r"\bsamenspel(?:\s+[a-z]+)?",  # a command: samenspel run
    r"--[a-z][\w-]*(?:[ =](?:[A-Z_]+\b|[\w.,:<>=+-]+))?",  # an option and its argument
    r"\S*/\S*",  # paths
    r"[\w*-]+\.(?:csv|parquet|toml|html|json|log|txt|md|png|gif|mp4|py)\b",  # file names
    r"\w+ = \"[^\"]*\"",  # key = "value"
    r"\[\[?[\w.A-Z-]+\]\]?",  # TOML tables
    r"\b[a-z_]{2,}(?:\.[a-z_]{2,})+\b",  # dotted keys: behaviour.trust_loss
    r"\b\w*_\w*\b",  # snake_case keys
    r"\b\w+\s*(?:[<>]=?|==)\s*[\d.,]+",  # comparisons: commitment>=0.5
    r"(?<![\w-])(?:" + "|".join(map(re.escape, _ids())) + r")(?![\w-])",  # scenario ids
)
_CODE = re.compile("|".join(CODE))


def prose(text: str) -> str:
    """The words of `text` a person reads as Dutch: code taken out, whitespace collapsed."""
    return " ".join(_CODE.sub(" ", text).split())


def offences(where: str, text: str) -> list[str]:
    """Every forbidden phrase in `text`, as 'where: "phrase" (why); write: dutch'."""
    words = prose(text)
    found = []
    for c in CALQUES:
        for m in re.finditer(c.pattern, words, re.IGNORECASE | re.MULTILINE):
            found.append(f'{where}: "{m.group(0)}" ({c.why}); write: {c.dutch}')
    return found


def report(found: list[str]) -> str:
    return f"{len(found)} calque(s) or English leftover(s):\n" + "\n".join(found)


# --- the check itself can fail --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "caught"),
    [
        ("Meervoudig lokaal zakt het commitment", ["commitment", "Meervoudig lokaal zakt"]),
        ("576 uren per jaar; per run", ["576 uren", "run"]),
        ("Wat als Dordrecht dienstverlenende gemeente was?", ["dienstverlenende gemeente was"]),
        ("waarde: n.b.", ["n.b."]),
        ("de seeds en de presets", ["seeds", "presets"]),
        ("Kleur naar energie", ["Kleur naar"]),
    ],
)
def test_the_check_catches_each_phrase_of_the_issue(text, caught):
    found = offences("example", text)
    for phrase in caught:
        assert any(f'"{phrase}"' in f for f in found), (phrase, found)


@pytest.mark.parametrize(
    "text",
    [
        "samenspel run --scenario split-2022 --seed 7",
        'liefst met `seeds = "common"`; zie runs.csv en sim/data/scenarios/',
        "bijvoorbeeld --outcome commitment, of commitment>=0.5, of behaviour.trust_loss",
        "de kolom run_id; {seed} en {runs}; [arrangements.NAAM]",
        "nakoming per simulatie, 576 uur, n.v.t., in elke herhaling",
        "de tafel van meet-twice-a-year tegenover steering-room",
    ],
)
def test_code_and_good_dutch_pass(text):
    assert offences("example", text) == []


# --- every Dutch word samenspel shows -------------------------------------------------------


def _table(key: str) -> str:
    """The part of the catalogue a key belongs to, as its owners share the work: the top-level
    table, but `cli.whatif`, `cli.compare`, ... apart from `cli`."""
    parts = key.split(".")
    return ".".join(parts[:2]) if parts[0] == "cli" and len(parts) > 2 else parts[0]


@pytest.mark.parametrize("table", sorted({_table(key) for key in i18n.catalogue("nl")}))
def test_the_dutch_catalogue_has_no_calques(table):
    found = [
        hit
        for key, text in i18n.catalogue("nl").items()
        if _table(key) == table
        for hit in offences(f"nl.toml [{key}]", text)
    ]
    assert not found, report(found)


def _outcome_words() -> Iterator[tuple[str, str]]:
    entries = [*CATALOGUE, *MUNICIPAL.values()]
    entries += [outcome(f"commitment_{theme}") for theme in load_themes()]
    for o in entries:
        yield f"outcomes.py {o.key}", o.nl
        yield f"outcomes.py {o.key} (unit)", o.unit_nl
    for e in EVENTS.values():
        yield f"outcomes.py event {e.key}", e.nl
        yield f"outcomes.py event {e.key} (value)", e.value_nl


def test_the_outcome_catalogue_has_no_calques():
    found = [hit for where, text in _outcome_words() for hit in offences(where, text)]
    assert not found, report(found)


def _data_words() -> Iterator[tuple[str, str]]:
    for key, theme in load_themes().items():
        yield f"themes.toml [{key}] label_nl", theme.label_nl
    for key, arrangement in load_arrangement_presets().items():
        yield f"arrangements.toml [{key}] label_nl", arrangement.label_nl
    data = Path(str(resources.files("sim.data")))
    for path in sorted(data.rglob("*.toml")):
        if "i18n" in path.parts:
            continue
        for key, value in _dutch_fields(tomllib.loads(path.read_text(encoding="utf-8"))):
            yield f"{path.relative_to(data)} {key}", value


def _dutch_fields(table: dict, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every string under a key ending in _nl, at any depth."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _dutch_fields(value, f"{prefix}{key}.")
        elif key.endswith("_nl") and isinstance(value, str):
            yield f"{prefix}{key}", value


def test_the_data_files_have_no_calques():
    words = list(_data_words())
    assert any("scenarios" in where for where, _ in words)  # the scenarios' Dutch is read
    found = [hit for where, text in words for hit in offences(where, text)]
    assert not found, report(found)


# --- real Dutch output ----------------------------------------------------------------------


def _printed(argv: list[str]) -> tuple[int, str]:
    """A command's exit code and everything it printed (stdout and stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return code, out.getvalue() + err.getvalue()


COMMANDS = {
    "scenarios": ["scenarios"],
    "arrangements": ["arrangements"],
    "rules": ["rules"],
    "run": ["run", "--scenario", "split-2022", "--years", "2", "--out", "{tmp}/run"],
    "validate": [
        *("validate", "--checks", "p5-lowest-transition,p4-early-dip"),
        *("--workers", "1", "--no-progress", "--out", "{tmp}/validate"),
    ],
    "rerun refused": ["rerun", "{tmp}", "0"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_printed_dutch_has_no_calques(command, tmp_path):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
    code, said = _printed([*argv, "--lang", "nl"])
    assert said.strip() and code in (0, 2), (code, said)
    found = [
        hit
        for n, paragraph in _paragraphs(said)
        for hit in offences(f"`samenspel {command} --lang nl`, from line {n}", paragraph)
    ]
    assert not found, report(found)


def _paragraphs(said: str) -> Iterator[tuple[int, str]]:
    """The printed text as paragraphs (runs of lines with the same indentation, so that a
    phrase cut by a line break is seen whole), each with its first line's number; the first
    column of `samenspel rules` (a scenario file's keys) is code and left out."""
    lines = said.splitlines()
    start = 0
    for n in range(1, len(lines) + 1):
        indent = len(lines[start]) - len(lines[start].lstrip())
        if n == len(lines) or len(lines[n]) - len(lines[n].lstrip()) != indent:
            block = " ".join(re.sub(r"^  \[*\w+\]*(?=\s{2,})", "", line) for line in lines[start:n])
            yield start + 1, block
            start = n


# --- one name per theme ---------------------------------------------------------------------

SHORT_NAMES = {
    "economy": r"\beconomie\b(?! en arbeidsmarkt)",
    "energy": r"\benergie\b(?!transitie)",
}
"""Short forms of a theme's name; where a text names the themes side by side (two or more
labels), each must be its label in sim/data/themes.toml."""


def test_each_theme_has_one_dutch_name():
    labels = {key: t.label_nl for key, t in load_themes().items()}
    assert len(set(labels.values())) == len(labels)
    assert labels["mobility"] == "mobiliteit"
    texts = [(f"nl.toml [{k}]", v) for k, v in i18n.catalogue("nl").items()]
    texts += list(_data_words())
    found = []
    for where, text in texts:
        words = prose(text)
        named = [k for k, label in labels.items() if re.search(rf"\b{label}\b", words, re.I)]
        if len(named) < 2:
            continue
        for key, short in SHORT_NAMES.items():
            if key not in named and re.search(short, words, re.I):
                found.append(f"{where}: a list of themes calls {key} by a short name: {short}")
    assert not found, "\n".join(found)


SWEEP_REFUSED = "geen map met resultaten van een sweep"


@pytest.mark.parametrize(
    ("argv", "dutch"),
    [
        (["analyze", "{tmp}"], SWEEP_REFUSED),
        (["robustness", "{tmp}", "--factor", "governance"], SWEEP_REFUSED),
        (["discover", "{tmp}", "--below", "0.5", "--outcome", "progress"], SWEEP_REFUSED),
        (["validate", "--checks", "p5-lowst"], "onbekende toets 'p5-lowst'"),
        (["validate", "--checks", ","], "noemt geen toets"),
    ],
)
def test_refusals_in_dutch(argv, dutch, tmp_path):
    """Refusals the shared code said in English are said in the command's language."""
    code, said = _printed([*(a.replace("{tmp}", str(tmp_path)) for a in argv), "--lang", "nl"])
    assert code == 2 and dutch in said, said
