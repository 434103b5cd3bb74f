"""Validation errors as a person reads them: one line per problem, naming the field by its
dotted path (`arrangements.mine.veto`), saying what is wrong and what is allowed (the keys a
table may hold, with a guess at a misspelt one), and at most SHOWN_PROBLEMS lines."""

from __future__ import annotations

import difflib
import typing

from pydantic import BaseModel, ValidationError


def _model_at(model: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    """The model class that holds the keys at `path` inside `model` (for 'allowed:' hints)."""
    for part in path:
        if isinstance(part, int) or part not in model.model_fields:
            continue  # a list index or a dict key: the element type is already in hand
        ann = model.model_fields[part].annotation
        found = None
        for t in (
            ann,
            *typing.get_args(ann),
            *(a for x in typing.get_args(ann) for a in typing.get_args(x)),
        ):
            if isinstance(t, type) and issubclass(t, BaseModel):
                found = t
        if found is None:
            return None
        model = found
    return model


def key_homes(model: type[BaseModel]) -> dict[str, str]:
    """Where each key of a file read into `model` belongs: "the top level", or "the [NAME]
    table" of a nested model (a key put in the wrong table is named with its own)."""
    homes = {}
    for name, info in model.model_fields.items():
        inner = _model_at(model, (name,))
        if inner is not None and inner is not model:
            table = f"[[{name}]]" if typing.get_origin(info.annotation) is list else f"[{name}]"
            homes.update({k: f"the {table} table" for k in inner.model_fields})
    homes.update({k: "the top level" for k in model.model_fields})
    return homes


def _unknown_key(loc: str, key: str, holder: type[BaseModel] | None, homes: dict[str, str]) -> str:
    """The line for a key its table does not have: where it belongs if it is another table's,
    else a guess at a misspelling, and the keys allowed here."""
    allowed = f"; allowed: {', '.join(holder.model_fields)}" if holder else ""
    home = homes.get(key)
    if home is not None:
        return f"{loc}: unknown key here; {key!r} belongs in {home}{allowed}"
    guess = difflib.get_close_matches(key, list(holder.model_fields), n=1) if holder else []
    hint = f" (did you mean {guess[0]!r}?)" if guess else ""
    return f"{loc}: unknown key{hint}{allowed}"


def shown_value(value: object, most: int = 60) -> str:
    """A given value as a message shows it: its repr, shortened."""
    text = repr(value)
    return text if len(text) <= most else text[: most - 3] + "..."


def error_lines(
    err: ValidationError,
    model: type[BaseModel] | None,
    prefix: str = "",
    homes: dict[str, str] | None = None,
) -> list[str]:
    """One line per problem: the field's dotted path, what is wrong, and what is allowed;
    a key that belongs in another table is named with it (`homes`: key -> where, by default
    the tables of `model`)."""
    if homes is None:
        homes = key_homes(model) if model else {}
    lines = []
    for e in err.errors():
        loc = prefix + ".".join(str(p) for p in e["loc"]) or "(top level)"
        if e["type"] == "extra_forbidden":
            holder = _model_at(model, tuple(e["loc"][:-1])) if model else None
            lines.append(_unknown_key(loc, str(e["loc"][-1]), holder, homes))
        else:
            got = "" if e["type"] == "missing" else f" (got {shown_value(e.get('input'))})"
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] != "value_error":
                lines.append(f"{loc}: {msg}{got}")
            elif not e["loc"] or msg.startswith(f"{loc}."):
                lines.append(msg)  # our validators name the field themselves, as deep as it lies
            else:
                lines.append(f"{loc}: {msg}")
    return lines


SHOWN_PROBLEMS = 20
"""At most this many problems are listed; the rest are counted ("and 499,990 more")."""


def capped(lines: list[str], most: int = SHOWN_PROBLEMS) -> list[str]:
    """The first `most` lines, and one that counts the others if there are more."""
    if len(lines) <= most:
        return lines
    return [*lines[:most], f"and {len(lines) - most:,} more"]


def format_validation_error(
    err: ValidationError, source: str, model: type[BaseModel] | None = None
) -> str:
    lines = error_lines(err, model)
    shown = capped(lines)
    count = "1 problem" if len(lines) == 1 else f"{len(lines):,} problems"
    return "\n".join([f"{source}: {count}", *(f"  {line}" for line in shown)])
