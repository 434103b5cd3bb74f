"""Overrides: dotted scenario paths set on every scenario a check builds (`--set`, `--scenario`).

Overrides apply to both sides of a comparison; a check's own contrast (the thing it varies) is
applied after them and wins. `--scenario` gives a scenario file's assumptions (ASSUMPTIONS) as
overrides, never its set-up: each check builds the set-ups it was made for.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence

from sim.model.config import (
    ConfigError,
    Scenario,
    load_scenario,
    read_toml,
    scenario_from_dict,
    scenario_path,
)

Overrides = Mapping[str, object]
OVERRIDES_SOURCE = "overrides (--set, --scenario)"
ASSUMPTIONS = ("behaviour", "salience_spread", "shock_probability", "themes")
"""What `--scenario` takes of a scenario file: its assumptions, not its set-up."""
WORDS = ("name", "description", "description_nl")
PATH = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")


def apply_overrides(data: dict, overrides: Overrides | None) -> dict:
    """A scenario dict with dotted paths set; ConfigError naming the path if it cannot go."""
    from sim.study.experiment import apply

    try:
        return apply(data, dict(overrides or {}))
    except ConfigError as exc:
        raise ConfigError(str(exc).replace("parameters.", "--set ", 1)) from None


def build(data: dict, overrides: Overrides | None = None, **contrast: object) -> Scenario:
    """The scenario `data` with the overrides applied, then the check's own contrast. The
    overrides are checked before the contrast is applied, so a bad `--set` is refused even
    where a check's contrast sets the same field (pattern 8 sets the whole culture)."""
    data = apply_overrides(data, overrides)
    if not contrast:
        return scenario_from_dict(data, source=OVERRIDES_SOURCE)
    scenario_from_dict(data, source=OVERRIDES_SOURCE)
    return scenario_from_dict(apply_overrides(data, contrast), source=OVERRIDES_SOURCE)


def unused_keys(path_or_preset: str) -> list[str]:
    """The keys of a scenario file that `--scenario` does not use: its governance, arrangements,
    region, horizon, shocks, ... (each check builds its own set-ups); the words about it aside."""
    raw = read_toml(scenario_path(path_or_preset), "scenario")
    return [k for k in raw if k not in ASSUMPTIONS and k not in WORDS]


def overrides_from_scenario(path_or_preset: str) -> dict[str, object]:
    """A scenario file's assumptions (`ASSUMPTIONS`) as overrides: its `behaviour` table,
    `salience_spread`, `shock_probability` and `themes`, as the file gives them."""
    scenario = load_scenario(path_or_preset)  # validates it, naming any bad field
    raw = read_toml(scenario_path(path_or_preset), "scenario")
    out: dict[str, object] = {}
    validated = scenario.model_dump(mode="json")
    for key in raw.get("behaviour", {}):
        out[f"behaviour.{key}"] = validated["behaviour"][key]
    for key in ("salience_spread", "shock_probability"):
        if key in raw:
            out[key] = validated[key]
    if "themes" in Scenario.model_fields and isinstance(raw.get("themes"), dict):
        for theme, table in raw["themes"].items():
            if isinstance(table, dict):
                for k in table:
                    out[f"themes.{theme}.{k}"] = validated["themes"][theme][k]
            else:
                out[f"themes.{theme}"] = validated["themes"][theme]
    return out


def parse_set(items: Sequence[str]) -> dict[str, object]:
    """`PATH=VALUE` strings (VALUE a TOML literal, on one line) as overrides; ConfigError
    otherwise. A control character (a newline could start a second TOML line) is refused."""
    out: dict[str, object] = {}
    for item in items:
        path, value = _one_set(item)
        out[path] = value
    return out


def _one_set(item: str) -> tuple[str, object]:
    bad = next((c for c in item if unicodedata.category(c) in ("Cc", "Zl", "Zp")), None)
    if bad is not None:
        raise ConfigError(
            f"--set: {item!r} holds the control character {bad!r}; give PATH=VALUE on one "
            "line, e.g. behaviour.trust_loss=0.3"
        )
    path, eq, text = item.partition("=")
    path = path.strip()
    if not eq or not path:
        raise ConfigError(
            f"--set: {item!r} is not PATH=VALUE; give a dotted scenario path and a TOML "
            "value, e.g. behaviour.trust_loss=0.3 or salience_spread=1.5"
        )
    if not PATH.fullmatch(path):
        raise ConfigError(
            f"--set: {path!r} is not a dotted scenario path; allowed: names of letters, "
            "digits, '_' and '-' joined by '.', e.g. behaviour.trust_loss"
        )
    try:
        return path, tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        raise ConfigError(
            f"--set {path}: {text.strip()!r} is not a TOML value; allowed: a number (0.3), "
            'true/false, a quoted string ("text"), an array or an inline table'
        ) from None
