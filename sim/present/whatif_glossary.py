"""The what-if's glossary: every term and unit a page uses, explained in a sentence, from data.

Two sources, both in English and Dutch: the outcome catalogue's definitions
(sim/model/outcomes.py, `DEFINITIONS`: what "commitment" or "felt grip" measures) and the
general terms of `[whatif_glossary]` in sim/data/i18n/ (run, seed, interval, fixed by the
rules, MEUR, score out of 10, account meetings, instalments, escalation, ...). A general term
is listed only where the text it explains uses it, so the list stays short; in the HTML page an
outcome's name carries its definition as a tooltip (`abbr`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from sim.model.outcomes import MUNICIPAL, OUTCOMES, definition
from sim.present.i18n import catalogue, text
from sim.present.whatif_words import outcome_words

PREFIX = "whatif_glossary."


@dataclass(frozen=True)
class Term:
    """A word and what it means, in one language."""

    term: str
    define: str


def general(lang: str) -> list[Term]:
    """The general terms of the catalogue, in its order."""
    words = catalogue(lang)
    names = [k.removeprefix(PREFIX).removesuffix(".term") for k in words if k.startswith(PREFIX)]
    return [
        Term(words[f"{PREFIX}{n}.term"], words[f"{PREFIX}{n}.define"])
        for n in dict.fromkeys(names)
        if f"{PREFIX}{n}.term" in words
    ]


def of_outcome(key: str, lang: str) -> Term | None:
    """An outcome's name and definition, where the catalogue defines it."""
    said = definition(key, lang)
    if said is None:
        return None
    return Term(outcome_words(key, lang, MUNICIPAL.get(key) if key not in OUTCOMES else None), said)


JARGON = (
    "commitment",
    "free_riding",
    "grip_mean",
    "tailoring_fit",
    "service_efficiency_gain",
    "legitimacy_mean",
    "energy_mean",
)
"""Outcomes whose names are words of the model's own (commitment, felt grip, an efficiency gain
that may be negative, ...): explained wherever a text uses them, not only where they are
named in the answer."""


def used(lang: str, outcomes: list[str], where: str) -> list[Term]:
    """The terms a text uses: the named outcomes' definitions, the model's own words (JARGON)
    that `where` uses, then every general term that appears in `where` (case aside); a word
    that an earlier term's name holds is not listed twice."""
    found = [t for t in (of_outcome(k, lang) for k in dict.fromkeys(outcomes)) if t is not None]
    low = where.lower()
    for key in JARGON:
        term = of_outcome(key, lang)
        stem = term.term.split(" (")[0] if term else ""
        named = " ".join(t.term.lower() for t in found)
        if term and stem.lower() in low and stem.lower() not in named:
            found.append(Term(stem, term.define))
    named = " ".join(t.term.lower() for t in found)
    found += [t for t in general(lang) if _in(t.term, where, low) and t.term.lower() not in named]
    return found


def _in(term: str, where: str, low: str) -> bool:
    """Whether a term ("seed", or "A, B": any of its parts) appears in a text; a part of one or
    two letters only as a word of its own, in its own case."""
    for part in term.split(", "):
        if len(part) <= 2:
            if re.search(rf"(?<!\w){re.escape(part)}(?!\w)", where):
                return True
        elif part.lower() in low:
            return True
    return False


def abbr(words: str, key: str, lang: str) -> str:
    """`words` (escaped) as HTML, with the outcome's definition as its tooltip where there is
    one."""
    said = definition(key, lang)
    e = html.escape
    if said is None:
        return e(words)
    return f'<abbr title="{e(said, quote=True)}">{e(words)}</abbr>'


def as_text(terms: list[Term], lang: str) -> list[str]:
    """The glossary as lines of plain text: a heading, then "term: definition" per term."""
    head = text("whatif_answer.glossary_head", lang)
    return [head] + [
        text("whatif_answer.glossary_line", lang, term=t.term, definition=t.define) for t in terms
    ]


def as_html(terms: list[Term], lang: str) -> str:
    """The glossary as a definition list under its heading."""
    e = html.escape
    items = "".join(f"<dt>{e(t.term)}</dt><dd>{e(t.define)}</dd>" for t in terms)
    head = e(text("whatif_answer.glossary_head", lang))
    return f"<section class='glossary'><h2>{head}</h2><dl>{items}</dl></section>"
