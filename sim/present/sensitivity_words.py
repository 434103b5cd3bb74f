"""The sensitivity analysis in words, answer first: per outcome which parameters matter most,
then how far to trust the indices, then how they were computed (the catalogues' `[analyze]`
table). Used by `samenspel analyze` on the terminal and on its page."""

from __future__ import annotations

import pandas as pd

from sim.present import i18n
from sim.present.whatif_words import parameter_words
from sim.study.sensitivity import Analysis
from sim.study.sensitivity.diagnostics import NEGLIGIBLE, Warning

METHOD_OF = {
    "sobol": ("sobol", "ST"),
    "morris": ("morris", "mu_star"),
    "latin_hypercube": ("delta", "delta"),
}
"""The table and the index that rank the parameters, per design."""


def _w(key: str, lang: str, **fields: object) -> str:
    return i18n.text(f"analyze.{key}", lang, **fields)


def name_of(parameter: str, lang: str) -> str:
    """A parameter in words where the catalogue has them (behaviour, culture), else its path."""
    if parameter.split(".", 1)[0] in ("behaviour", "culture"):
        try:
            return f"{parameter_words(parameter, lang)} ({parameter})"
        except KeyError:
            pass
    return parameter


def outcome_words(key: str, lang: str) -> str:
    try:
        return i18n.outcome_label(key, lang)
    except KeyError:
        return key


def answers(result: Analysis, lang: str) -> list[str]:
    """One sentence per outcome (and crossed level): what matters most, what hardly matters."""
    kind = result.spec.design.kind
    lines = [] if kind in METHOD_OF else [_w("no_indices", lang, kind=kind)]
    name, index = METHOD_OF.get(kind, ("", ""))
    table = result.tables.get(name, pd.DataFrame())
    cross = result.spec.design.cross
    for keys, part in table.groupby(["outcome", *cross], sort=False) if len(table) else []:
        keys = keys if isinstance(keys, tuple) else (keys,)
        sentence = _sentence(kind, part.sort_values(index, ascending=False), index, lang)
        if cross:
            levels = ", ".join(f"{c} = {v}" for c, v in zip(cross, keys[1:], strict=True))
            sentence = f"{_w('under_level', lang, levels=levels)} {sentence}"
        lines.append(sentence)
    if result.insensitive:
        names = ", ".join(outcome_words(o, lang) for o in result.insensitive)
        lines.append(_w("insensitive", lang, outcomes=names))
    if result.constant:
        names = ", ".join(outcome_words(o, lang) for o in result.constant)
        lines.append(_w("constant", lang, outcomes=names))
    return lines


def _sentence(kind: str, ranked: pd.DataFrame, index: str, lang: str) -> str:
    n = lambda v: i18n.readable(float(v), lang, 2)  # noqa: E731
    top, outcome = ranked.iloc[0], outcome_words(ranked.iloc[0]["outcome"], lang)
    second = ranked.iloc[1] if len(ranked) > 1 else None
    small = ranked[ranked[index] < NEGLIGIBLE] if kind != "morris" else ranked.iloc[0:0]
    then = ""
    if second is not None and second["parameter"] not in set(small["parameter"]):
        then = _w("then", lang, name=name_of(second["parameter"], lang), value=n(second[index]))
    rest = _w("rest_none", lang)
    if len(small):
        names = ", ".join(name_of(p, lang) for p in small["parameter"])
        key = "rest_small_one" if len(small) == 1 else "rest_small"
        rest = _w(key, lang, names=names, limit=n(NEGLIGIBLE))
    fields = {
        "outcome": outcome,
        "top": name_of(top["parameter"], lang),
        "then": then,
        "rest": rest,
    }
    if kind == "sobol":
        conf = top.get("ST_seeds_conf")
        seeds = "" if conf is None else _w("seeds_part", lang, conf=i18n.number(conf, lang, 2))
        return _w(
            "answer_sobol",
            lang,
            seeds=seeds,
            st=n(top["ST"]),
            low=n(top["ST"] - top["ST_conf"]),
            high=n(top["ST"] + top["ST_conf"]),
            **fields,
        )
    if kind == "morris":
        return _w(
            "answer_morris", lang, mu=n(top["mu_star"]), conf=n(top["mu_star_conf"]), **fields
        )
    return _w("answer_given", lang, delta=n(top["delta"]), conf=n(top["delta_conf"]), **fields)


def warning_words(w: Warning, lang: str) -> str:
    """A warning's sentence, its figures formatted for `lang`."""
    fields: dict[str, object] = {"outcome": outcome_words(w.outcome, lang) if w.outcome else ""}
    for key, value in w.fields.items():
        if key == "share" or key == "limit":
            fields[key] = i18n.percent(float(value), lang)
        elif key == "parameter":
            fields[key] = name_of(str(value), lang)
        elif key == "kind":
            fields["unit"] = _w(f"unit_{value}" if value in METHOD_OF else "unit_other", lang)
        elif isinstance(value, float):
            fields[key] = i18n.readable(value, lang, 2)
        else:
            fields[key] = value
    fields.pop("kind", None)
    return _w(f"warn.{w.code}", lang, **fields)


def trust(result: Analysis, lang: str) -> list[str]:
    """How far to trust the indices: each warning in words, or that there is none (nothing
    where the design gives no indices)."""
    words = [warning_words(w, lang) for w in result.warnings]
    return words or ([_w("trust_fine", lang)] if result.spec.design.kind in METHOD_OF else [])


def method(result: Analysis, lang: str) -> str:
    spec = result.spec
    kind = spec.design.kind
    unit = _w(f"unit_{kind}" if kind in METHOD_OF else "unit_other", lang)
    samples = spec.design.samples if kind in METHOD_OF else spec.point_count()
    r = spec.replicates
    text = _w(
        "method" if kind in METHOD_OF else "method_effects",
        lang,
        kind=kind,
        samples=i18n.number(samples or 0, lang, 0),
        unit=unit,
        replicates=_w("replicates_one", lang) if r == 1 else _w("replicates_many", lang, n=r),
        seeds=_w(f"seeds_{spec.design.seeds}", lang),
        runs=i18n.number(result.runs, lang, 0),
    )
    runs = i18n.number(result.runs, lang, 0)
    return text + (" " + _w("partial", lang, runs=runs) if result.partial else "")


UNTRUSTED = {
    "negative_s1",
    "st_sum",
    "wide",
    "few_base",
    "seed_noise",
    "noise_only",
    "one_replicate",
    "too_few",
}
"""The warnings that make the answers above them provisional."""


def caution(result: Analysis, lang: str) -> list[str]:
    """One line after the answers when a warning makes them provisional."""
    return [_w("caution", lang)] if any(w.code in UNTRUSTED for w in result.warnings) else []


def summary(result: Analysis, lang: str) -> list[str]:
    """The printed summary: the answers, how far to trust them, the method."""
    told = trust(result, lang)
    return [
        *answers(result, lang),
        *caution(result, lang),
        *([""] + [_w("trust_heading", lang) + ":"] + [f"- {t}" for t in told] if told else []),
        "",
        method(result, lang),
    ]
