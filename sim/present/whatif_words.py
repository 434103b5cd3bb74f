"""The words of a what-if: rules, values, outcomes and verdicts as a person reads them, in
English or Dutch, from the catalogues (`[whatif]` in sim/data/i18n/), and how a verdict over
plausible worlds is labelled (robust, or depending on behaviour and on which parameter).
sim/present/whatif_page.py builds the printed answer and the page from them."""

from __future__ import annotations

import pandas as pd

from sim.model.config import Scenario, load_themes
from sim.model.outcomes import Outcome
from sim.present.i18n import (
    catalogue,
    description,
    label,
    number,
    quantity,
    readable,
    text,
)
from sim.study.whatif import RuleDifference, WhatIf, is_default_base, outcome_entry


def _t(key: str, lang: str, **fields: object) -> str:
    return text(f"whatif.{key}", lang, **fields)


def first_found(keys: list[str], lang: str) -> str | None:
    """The text of the first key the catalogue has (a word another component already owns
    wins over a whatif duplicate)."""
    words = catalogue(lang)
    return next((words[k] for k in keys if k in words), None)


def changes_words(diffs: list[RuleDifference], lang: str) -> str:
    """Differences as one list: "rule: base → alternative; ..."."""
    return "; ".join(
        _t(
            "rule_change",
            lang,
            rule=field_label(d, lang),
            base=difference_words(d, d.base, lang),
            alt=difference_words(d, d.alternative, lang),
        )
        for d in diffs
    )


def difference_words(d: RuleDifference, v: object, lang: str) -> str:
    """One side of a difference in words: how often a culture's conversation or forum sits
    ("none", "every 6 months"), any other value by `value_words`."""
    if d.kind == "culture" and d.field.endswith("_interval_months") and isinstance(v, int):
        if v == 0:
            return _t("value.never", lang)
        return _t("value.every_months", lang, months=number(v, lang, 0))
    return value_words(v, lang)


def field_label(d: RuleDifference, lang: str) -> str:
    """A rule's, behavioural parameter's or set-up field's name as a person reads it."""
    tables = {
        "rule": ["app.rule", "whatif.rule"],
        "behaviour": ["app.behaviour", "whatif.behaviour"],
        "culture": ["whatif.culture", "app.culture"],  # a name to read mid-sentence first
        "scenario": ["whatif.setup"],
        "transition": ["whatif.setup"],
        "arrangement": ["whatif.setup"],
    }[d.kind]
    found = first_found([f"{t}.{d.field}" for t in tables], lang)
    if found is None:
        raise KeyError(f"no label for {d.kind} {d.field!r} in the {lang} catalogue")
    return found[:1].lower() + found[1:]  # the app's labels start a line; here, mid-sentence


def value_words(v: object, lang: str) -> str:
    """A rule's value in words: catalogue words for choices, numbers in the language's format."""
    if v is None:
        return _t("value.unset", lang)
    if isinstance(v, bool):
        return text("app.value.yes", lang) if v else _t("value.no", lang)
    if isinstance(v, int):
        return number(v, lang, 0)
    if isinstance(v, float):
        return number(v, lang, 0) if v.is_integer() else readable(v, lang, 2)
    if isinstance(v, str):
        return first_found([f"app.value.{v}", f"whatif.value.{v}"], lang) or v
    if isinstance(v, tuple):  # themes (a transition)
        return join([theme_label(t, lang) for t in v], lang) or _t("value.nothing", lang)
    if isinstance(v, dict):
        return "; ".join(f"{k}: {value_words(x, lang)}" for k, x in v.items()) or _t(
            "value.nothing", lang
        )
    if isinstance(v, list):
        if v and not isinstance(v[0], str):  # shocks
            return _t("value.count", lang, count=len(v))
        return ", ".join(value_words(x, lang) for x in v) or _t("value.nothing", lang)
    return str(v)


def theme_label(theme: str, lang: str) -> str:
    return label(load_themes()[theme], lang)


def join(items: list[str], lang: str) -> str:
    """ "a, b and c" in the language."""
    if len(items) <= 1:
        return "".join(items)
    return _t("and", lang, first=", ".join(items[:-1]), last=items[-1])


def outcome_words(key: str, lang: str, entry: Outcome | None = None) -> str:
    """An outcome's label (an event count's as "... (per run)")."""
    entry = entry or outcome_entry(key)
    if key.startswith("event_"):
        return _t("event_count", lang, event=entry.label(lang))
    return entry.label(lang)


def value_of(entry: Outcome, v: float, lang: str) -> str:
    return quantity(entry, v, lang, unit=True)


def signed(entry: Outcome, v: float, lang: str) -> str:
    """A difference with its sign: "+0.04", "-1,200"."""
    shown = quantity(entry, v, lang)
    return "+" + shown if v == v and v * entry.scale > 0 and not shown.startswith("-") else shown


def mark(v: str, lang: str, local: bool = False) -> str:
    """The verdict as a symbol and a word (never colour alone)."""
    return _t(f"mark_local.{v}" if local and v in ("better", "worse") else f"mark.{v}", lang)


def scenario_words(sc: Scenario, lang: str, alternative: Scenario | None = None) -> str:
    """A scenario's description in the language: a derived base's generated, else its file's."""
    if alternative is not None and is_default_base(sc, alternative):
        return _t("base_derived", lang, alt=alternative.name)
    return description(sc, lang)


def item_words(row: pd.Series, lang: str, entry: Outcome | None = None) -> str:
    entry = entry or outcome_entry(row["outcome"])
    return _t(
        "item",
        lang,
        label=outcome_words(row["outcome"], lang, entry),
        direction=_t("higher" if row["difference"] > 0 else "lower", lang),
        a=value_of(entry, row["alternative"], lang),
        b=value_of(entry, row["base"], lang),
    )


def robustness_words(r: pd.Series, lang: str) -> str:
    """ " · robust" or " · depends on behaviour" over plausible worlds; "" otherwise."""
    if "robust" not in r.index or r["robust"] != r["robust"]:
        return ""
    return " · " + _t("robust_tag" if r["robust"] else "depends_tag", lang)


def worlds_sentences(w: WhatIf, lang: str) -> list[str]:
    """Over plausible worlds: how many verdicts are robust, and for each that is not, in how
    many worlds it holds and the behaviour parameter that decides it."""
    res = w.outcomes
    if w.comparison.worlds is None or "robust" not in res.columns:
        return []
    shaky = res[~res["robust"].astype(bool)]
    out = [
        _t(
            "worlds_summary",
            lang,
            worlds=len(w.comparison.worlds),
            robust=int(res["robust"].astype(bool).sum()),
            total=len(res),
            depends=len(shaky),
        )
    ]
    for _, r in shaky.iterrows():
        label = outcome_words(r["outcome"], lang)
        said = mark(r["verdict"], lang)
        share = number(100 * r["agree"], lang, 0) + "%"
        if r["decided_by"] is None or r["decided_by"] != r["decided_by"]:
            out.append(_t("depends_plain", lang, label=label, verdict=said, share=share))
            continue
        higher, lower = _directions(r["outcome"], lang)
        out.append(
            _t(
                "depends_item",
                lang,
                label=label,
                verdict=said,
                share=share,
                parameter=parameter_words(str(r["decided_by"]), lang),
                threshold=number(r["threshold"], lang, 2),
                below=higher if r["below"] > 0 else lower,
                above=lower if r["below"] > 0 else higher,
                accuracy=number(100 * r["split_accuracy"], lang, 0) + "%",
            )
        )
    return out


def _directions(key: str, lang: str) -> tuple[str, str]:
    """What a higher and a lower value of an outcome are: better and worse where the catalogue
    says which direction is better, else higher and lower."""
    better = outcome_entry(key).better
    if better is None:
        return _t("higher", lang), _t("lower", lang)
    good, bad = _t("better_word", lang), _t("worse_word", lang)
    return (good, bad) if better == "higher" else (bad, good)


def parameter_words(path: str, lang: str) -> str:
    """A calibrated parameter (behaviour.trust_loss) in words, as `samenspel rules` names it."""
    table, _, name = path.partition(".")
    if table == "culture":
        return field_label(RuleDifference("culture", name, None, None), lang)
    return field_label(RuleDifference("behaviour", name, None, None), lang)
