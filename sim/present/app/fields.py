"""The workshop app's controls, read from the model's fields (no web code).

`RULE_FIELDS` are the rules a facilitator may change per theme, `CULTURE_FIELDS` the ways the
partners work together (the `[culture]` table) and `BEHAVIOUR_FIELDS` the behavioural
assumptions; `control()` reads each one's kind, range and choices from its pydantic field in
sim/model/config.py, so a slider's range is the range a scenario file may use.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args, get_origin

from annotated_types import Ge, Gt, Le
from pydantic import BaseModel

from sim.model.config import Arrangement, Behaviour, Culture
from sim.present import i18n

RULE_FIELDS = (
    "meeting_interval_months",
    "decision",
    "approval_threshold",
    "veto",
    "participation",
    "modes",
    "cost_allocation",
    "monitoring",
    "sanction",
    "tailoring",
    "exit_fee_years",
)
"""The rules the app lets a facilitator change per theme (fields of `Arrangement`)."""

BEHAVIOUR_FIELDS = tuple(
    name for name, info in Behaviour.model_fields.items() if info.annotation in (int, float)
)
"""The behavioural assumptions shown as sliders: every numeric field of `Behaviour`."""

CULTURE_FIELDS = tuple(Culture.model_fields)
"""The ways of working together, apart from the rules: every field of `Culture` (each a
number, so each a slider)."""


# --- controls --------------------------------------------------------------------------------

ControlKind = Literal["slider", "choice", "multi", "switch"]


@dataclass(frozen=True)
class Control:
    """One control: what kind, its range and step (sliders) or its choices."""

    model: str  # "rule", "culture" or "behaviour" (`KINDS`)
    name: str
    kind: ControlKind
    minimum: float = 0.0
    maximum: float = 1.0
    step: float = 1.0
    integer: bool = False
    choices: tuple[str, ...] = ()

    def coerce(self, value: Any) -> Any:
        """A control's value as the field takes it (a slider's 1 for a float field is 1.0)."""
        if self.kind == "slider":
            return round(value) if self.integer else float(value)
        if self.kind == "switch":
            return bool(value)
        if self.kind == "multi":
            return [c for c in self.choices if c in (value or [])]  # the field's own order
        return value

    def marks(self, lang: str) -> dict[float, str]:
        """A slider's end marks, as numbers read in `lang`."""
        decimals = 0 if self.integer else (0 if self.maximum >= 5 else 1)
        return {
            v: i18n.number(v, lang, decimals if v != int(v) else 0)
            for v in (self.minimum, self.maximum)
        }

    def shown(self, value: Any, lang: str) -> str:
        """A slider's value as a person reads it in `lang` (decimal comma in Dutch)."""
        if value is None:
            return i18n.text("common.not_available", lang)
        decimals = 0 if self.integer else max(0, -math.floor(math.log10(self.step)))
        return i18n.number(float(value), lang, decimals)


def _step(low: float, high: float) -> float:
    return 10.0 ** math.floor(math.log10((high - low) / 100.0))


KINDS: dict[str, type[BaseModel]] = {
    "rule": Arrangement,
    "culture": Culture,
    "behaviour": Behaviour,
}
"""The kinds of control, in the page's order, and the model each one's fields are of."""


def control(model: type[BaseModel], name: str) -> Control:
    """The control for field `name` of `Arrangement`, `Culture` or `Behaviour`, from its
    declaration."""
    info = model.model_fields[name]
    ann = info.annotation
    which = next(kind for kind, m in KINDS.items() if m is model)
    if ann is bool:
        return Control(which, name, "switch")
    if get_origin(ann) is Literal:
        return Control(which, name, "choice", choices=tuple(get_args(ann)))
    if get_origin(ann) is list:
        (inner,) = get_args(ann)
        return Control(which, name, "multi", choices=tuple(get_args(inner)))
    if ann in (int, float):
        return _slider(which, name, info.metadata, integer=ann is int, where=model.__name__)
    raise TypeError(f"{model.__name__}.{name}: no control for {ann!r}")


def _slider(which: str, name: str, metadata: list[Any], integer: bool, where: str) -> Control:
    """A slider over a number field's range (its `ge`/`gt` and `le` bounds)."""
    low = high = None
    for m in metadata:
        if isinstance(m, Ge):
            low = float(cast(float, m.ge))
        elif isinstance(m, Gt):
            low = float(cast(float, m.gt))
        elif isinstance(m, Le):
            high = float(cast(float, m.le))
    if low is None or high is None:
        raise TypeError(f"{where}.{name} has no range to make a slider of")
    step = 1.0 if integer else _step(low, high)
    if any(isinstance(m, Gt) for m in metadata):
        low += step  # an open lower bound: the first step above it
    return Control(which, name, "slider", low, high, step, integer)


RULES: dict[str, Control] = {name: control(Arrangement, name) for name in RULE_FIELDS}
CULTURE: dict[str, Control] = {name: control(Culture, name) for name in CULTURE_FIELDS}
BEHAVIOUR: dict[str, Control] = {name: control(Behaviour, name) for name in BEHAVIOUR_FIELDS}
CONTROLS: dict[str, dict[str, Control]] = {
    "rule": RULES,
    "culture": CULTURE,
    "behaviour": BEHAVIOUR,
}
"""Every control by its kind (`KINDS`) and name."""


def control_of(component: Mapping[str, str]) -> Control:
    """The control behind a page component's id (its `kind` and `name`)."""
    return CONTROLS[component["kind"]][component["name"]]
