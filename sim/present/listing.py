"""What the command line lists: the preset scenarios, the arrangements' rules side by side, and
every key a scenario file may set (`samenspel scenarios`, `arrangements`, `rules`).

Everything is read from where it is defined: the scenarios from their files, the arrangements from
`sim/data/arrangements.toml` through sim/model/config.py's models, the allowed values and defaults
from the pydantic fields, the words from the catalogues (sim/present/i18n.py). Plain text, in
English or Dutch.
"""

from __future__ import annotations

import textwrap
import types
import typing
from typing import Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.model.config import (
    SCENARIO_TABLES,
    Arrangement,
    list_scenarios,
    load_arrangement_presets,
    load_scenario,
    toml_literal,
)
from sim.present import i18n

WIDTH = 100  # characters a line; a terminal of 80 wraps the arrangements table's last column

# --- scenarios ---------------------------------------------------------------------------------


def scenarios(lang: str = "en") -> str:
    """Every preset: its name, when it starts and how long it runs, and its description."""
    lines = [i18n.text("cli.lists.scenarios_heading", lang)]
    for name in list_scenarios():
        sc = load_scenario(name)
        when = i18n.text("cli.lists.scenario_when", lang, start=sc.start_year, years=sc.years)
        lines.append(f"  {name} ({when})")
        lines += textwrap.wrap(
            i18n.description(sc, lang), WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 6
        )
    return "\n".join(lines)


# --- arrangements ----------------------------------------------------------------------------

ARRANGEMENT_TEXT = ("label", "label_nl", "description")
"""Arrangement fields that are words about it, not rules: the header holds the label."""
RULE_COLUMN = 24
VALUE_COLUMN = 16


def value_word(field: str, value: object, lang: str) -> str:
    """A rule's value as a person reads it in `lang`: a choice's words from the catalogue (the
    app's `app.value`, then `cli.value`), yes/no, a number with the language's decimal mark."""
    if isinstance(value, bool):
        return i18n.text("app.value.yes" if value else "cli.lists.no", lang)
    if isinstance(value, int | float):
        return i18n.number(value, lang, 0 if float(value).is_integer() else 2)
    if isinstance(value, list):
        return ", ".join(value_word(field, v, lang) for v in value)
    texts = i18n.catalogue(lang)
    for key in (f"cli.value.{field}.{value}", f"app.value.{value}", f"cli.value.{value}"):
        if key in texts:
            return texts[key]
    return str(value)


def rule_word(field: str, lang: str) -> str:
    """A rule's name: the app's words (`app.rule`) where it has them, else `cli.rule`."""
    texts = i18n.catalogue(lang)
    return texts.get(f"app.rule.{field}") or texts[f"cli.rule.{field}"]


def _cells(texts: list[str], widths: list[int]) -> list[str]:
    """One table row, each cell wrapped to its column, as lines."""
    wrapped = [
        textwrap.wrap(t, w, break_long_words=False) or [""]
        for t, w in zip(texts, widths, strict=True)
    ]
    height = max(len(c) for c in wrapped)
    return [
        "  ".join(
            f"{(c[i] if i < len(c) else ''):<{w}}" for c, w in zip(wrapped, widths, strict=True)
        ).rstrip()
        for i in range(height)
    ]


def arrangements(lang: str = "en") -> str:
    """The arrangements' rules side by side: a row per rule, a column per arrangement."""
    presets = load_arrangement_presets()
    rules = [f for f in Arrangement.model_fields if f not in ARRANGEMENT_TEXT]
    widths = [RULE_COLUMN] + [VALUE_COLUMN] * len(presets)
    lines = [*textwrap.wrap(i18n.text("cli.lists.arrangements_heading", lang), WIDTH), ""]
    lines += _cells(
        [i18n.text("cli.lists.rule", lang), *(i18n.label(a, lang) for a in presets.values())],
        widths,
    )
    lines += _cells(["", *(f"{name}" for name in presets)], widths)
    lines.append("  ".join("-" * w for w in widths))
    for field in rules:
        words = [value_word(field, getattr(a, field), lang) for a in presets.values()]
        lines += _cells([rule_word(field, lang), *words], widths)
    return "\n".join(lines)


# --- rules: every key a scenario file may set ------------------------------------------------


def _bounds(metadata: list) -> tuple[Any, Any, bool]:
    low: Any = None
    high: Any = None
    open_low = False
    for m in metadata:
        if isinstance(m, Ge):
            low = m.ge
        elif isinstance(m, Gt):
            low, open_low = m.gt, True
        elif isinstance(m, Le):
            high = m.le
    return low, high, open_low


def _choices(ann: object) -> str:
    return ", ".join(toml_literal(c) for c in get_args(ann))


def allowed(ann: object, metadata: list, lang: str) -> str:
    """What a field of type `ann` (with pydantic constraints `metadata`) allows, in words."""
    origin = get_origin(ann)
    if origin is typing.Annotated:
        inner, *more = get_args(ann)
        extra = [m for x in more for m in (x.metadata if isinstance(x, FieldInfo) else [x])]
        return allowed(inner, [*metadata, *extra], lang)
    if origin in (typing.Union, types.UnionType):
        kinds = [a for a in get_args(ann) if a is not type(None)]
        inner_words = allowed(kinds[0], metadata, lang)
        return i18n.text("cli.lists.or_not_set", lang, allowed=inner_words)
    key, fields = _kind(ann, origin, metadata)
    return i18n.text(f"cli.lists.{key}", lang, **fields)


Words = tuple[str, dict[str, object]]
"""A `cli.lists` catalogue key and its fields."""


def _kind(ann: object, origin: object, metadata: list) -> Words:
    """The words for a type that is neither Annotated nor optional."""
    if ann is bool:
        return "boolean", {}
    if origin is Literal:
        return "one_of", {"choices": _choices(ann)}
    if origin is list:
        return _list(ann)
    if origin is dict:
        return _table(ann)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return "table", {}
    if ann in (int, float):
        return _number(ann, metadata)
    return "text", {}


def _list(ann: object) -> Words:
    """A list of choices, or of tables ([[shocks]])."""
    (inner,) = get_args(ann)
    if get_origin(inner) is Literal:
        return "list_of", {"choices": _choices(inner)}
    return "tables", {}


def _table(ann: object) -> Words:
    """A table: shares over a fixed set of keys, or any keys."""
    key, _ = get_args(ann)
    if get_origin(key) is Literal:
        return "shares", {"choices": ", ".join(get_args(key))}
    return "table", {}


def _number(ann: object, metadata: list) -> Words:
    """A whole number or a number in a range, with its bounds."""
    low, high, open_low = _bounds(metadata)
    if ann is int:
        return "whole", {"low": low, "high": high}
    key = "range_open" if open_low else "range"
    return key, {"low": toml_literal(low), "high": toml_literal(high)}


def default(info: FieldInfo, lang: str) -> str:
    """ "default X", X a field's default as a file writes it; "required" where it has none."""
    value = info.get_default(call_default_factory=True)
    if value is PydanticUndefined:
        return i18n.text("cli.lists.required", lang)
    word = "not_set" if value is None else "below" if isinstance(value, BaseModel) else ""
    shown = i18n.text(f"cli.lists.{word}", lang) if word else toml_literal(value)
    return f"{i18n.text('cli.lists.default', lang)} {shown}"


def key_name(name: str, info: FieldInfo, table: str) -> str:
    """How a field appears in a file: `key`, or, at the top level, `[key]`/`[[key]]` for a
    table of its own."""
    ann = info.annotation
    if table != "scenario":
        return name
    if get_origin(ann) is list and get_origin(get_args(ann)[0]) is not Literal:
        return f"[[{name}]]"
    if get_origin(ann) is dict or (isinstance(ann, type) and issubclass(ann, BaseModel)):
        return f"[{name}]"
    return name


def rules(lang: str = "en") -> str:
    """Every key a scenario file may set, by where it goes: allowed values, default, meaning."""
    lines = textwrap.wrap(i18n.text("cli.lists.rules_heading", lang), WIDTH)
    for table, model in SCENARIO_TABLES.items():
        lines += ["", *textwrap.wrap(i18n.text(f"cli.lists.section_{table}", lang), WIDTH)]
        for name, info in model.model_fields.items():
            head = f"{allowed(info.annotation, info.metadata, lang)}; {default(info, lang)}"
            lines += textwrap.wrap(
                f"{key_name(name, info, table):<27} {head}",
                WIDTH,
                initial_indent="  ",
                subsequent_indent=" " * 30,
                break_long_words=False,
            )
            lines += textwrap.wrap(
                i18n.text(f"rules.{table}.{name}", lang),
                WIDTH,
                initial_indent=" " * 6,
                subsequent_indent=" " * 6,
            )
    return "\n".join(lines)
