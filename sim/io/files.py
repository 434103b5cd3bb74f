"""How samenspel writes a table as a file: JSON (manifests), TOML (scenarios and specs, as a
person would write them), and a result's tables as Parquet and CSV side by side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

if TYPE_CHECKING:
    import pandas as pd


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Each table as Parquet (for analysis) and CSV (for a spreadsheet)."""
    for name, df in tables.items():
        df.to_parquet(folder / f"{name}.parquet", index=False)
        df.to_csv(folder / f"{name}.csv", index=False)


def write_toml(path: Path, data: dict) -> None:
    """A table as TOML; a key whose value is None (unset: the default holds) is left out, since
    TOML has no null."""
    path.write_text(tomli_w.dumps(_without_none(data)), encoding="utf-8")


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def write_json(path: Path, data: dict) -> None:
    """A table as JSON, keys sorted, two spaces of indent (a manifest reads well in a diff)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str), encoding="utf-8")
