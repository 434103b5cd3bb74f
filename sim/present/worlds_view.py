"""How a comparison over plausible worlds (sim/study/worlds.py) is shown: who comes out on top
per outcome and how sure that is, in the printed table and in the report, in English or Dutch.

A first place is called robust only when one scenario holds it in at least ROBUST of the worlds;
otherwise the words say that it depends on behaviour. Every word comes from the catalogues
(`[report]` and `[cli.compare]` in sim/data/i18n/).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from sim.model.outcomes import CRITERIA, HEADLINE, outcome, shown_in
from sim.present import i18n
from sim.present.absent import absent, without_services
from sim.study.worlds import first_places

if TYPE_CHECKING:
    from sim.study.compare import Comparison

"""The outcomes the section leads with: the three the project asks about."""


def percent(p: float, lang: str) -> str:
    return i18n.number(100 * p, lang, 0) + "%"


def _verdict(robust: bool, lang: str) -> str:
    return i18n.text("report.robust" if robust else "report.depends", lang)


def first_lines(c: Comparison, lang: str) -> dict[str, str]:
    """The printed line under each ranked outcome: who is first in how many worlds, robust or
    not (and, if not, the contenders that are first in at least 90% of them together)."""
    if c.worlds is None or c.ranks.empty:
        return {}
    out = {}
    for r in first_places(c.ranks).itertuples():
        several = not r.robust and "," in str(r.contenders)
        out[str(r.outcome)] = i18n.text(
            "cli.compare.first_line_contenders" if several else "cli.compare.first_line",
            lang,
            scenario=r.first,
            share=percent(r.p_first, lang),
            verdict=_verdict(bool(r.robust), lang),
            contenders=_or(str(r.contenders), lang),
            together=percent(r.p_contenders, lang),
        )
    return out


def _or(names: str, lang: str) -> str:
    """ "a, b or c" in the language."""
    items = names.split(", ")
    word = i18n.text("common.or", lang)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def ordered_keys(c: Comparison) -> list[str]:
    """The ranked outcomes: the three headline ones, the seven criteria, then the rest."""
    present = set(c.ranks["outcome"])
    rest = [o.key for o in shown_in("compare") if o.key not in HEADLINE]
    return [k for k in (*HEADLINE, *CRITERIA, *rest) if k in present]


def _behaviour_share(c: Comparison, key: str) -> float:
    shares = c.outcomes.loc[c.outcomes["outcome"] == key, "share_worlds"]
    return float(shares.median()) if len(shares) else float("nan")


def ranks_section(c: Comparison, lang: str) -> str:
    """The report's section: per outcome, each scenario's chance of ranking first, the leader
    in bold, robust or not, and (folded) the whole rank distribution."""
    if c.worlds is None or c.ranks.empty:
        return ""
    e = html.escape
    w = lambda key, **f: e(i18n.text(f"report.{key}", lang, **f))  # noqa: E731
    names = [sc.name for sc in c.scenarios]
    firsts = first_places(c.ranks).set_index("outcome")
    head = "".join(f"<th>{e(n)}</th>" for n in names)
    rows, lacking = [], without_services(c)
    for key in ordered_keys(c):
        p = c.ranks[(c.ranks["outcome"] == key) & (c.ranks["rank"] == 1)]
        share = dict(zip(p["scenario"], p["probability"], strict=True))
        lead = firsts.loc[key]
        leaders = str(lead["first"]).split(", ")
        cells = "".join(
            f"<td class='na'>{w('no_services')}</td>"
            if absent(key, n, lacking)
            else f"<td>{'<b>' if n in leaders else ''}{percent(share.get(n, 0.0), lang)}"
            f"{'</b>' if n in leaders else ''}</td>"
            for n in names
        )
        behaviour = _behaviour_share(c, key)
        na = i18n.text("common.not_available", lang)
        shown = percent(behaviour, lang) if behaviour == behaviour else na
        klass = "robust" if lead["robust"] else "depends"
        said = _verdict(bool(lead["robust"]), lang)
        if not lead["robust"] and "," in str(lead["contenders"]):
            together = percent(lead["p_contenders"], lang)
            contenders = _or(str(lead["contenders"]), lang)
            said += ": " + i18n.text(
                "report.contenders", lang, contenders=contenders, together=together
            )
        rows.append(
            f"<tr><th>{e(i18n.outcome_label(key, lang))}</th>{cells}"
            f"<td class='{klass}'>{e(said)}</td>"
            f"<td>{shown}</td></tr>"
        )
    table = (
        f"<table class='ranks'><tr><th>{w('outcome')}</th>{head}<th>{w('verdict_head')}</th>"
        f"<th>{w('behaviour_share_head')}</th></tr>{''.join(rows)}</table>"
    )
    return (
        f"<h2>{w('worlds_heading')}</h2><p>{w('worlds_note', worlds=len(c.worlds))}</p>{table}"
        f"<details><summary>{w('ranks_summary')}</summary>"
        f"{_distribution(c, names, lang)}</details>"
    )


def _distribution(c: Comparison, names: list[str], lang: str) -> str:
    """Per outcome a table: scenarios as rows, ranks as columns, each the share of worlds."""
    e = html.escape
    ranks = sorted(set(c.ranks["rank"]))
    head = "".join(f"<th>{e(i18n.text('report.rank_head', lang, rank=r))}</th>" for r in ranks)
    out = []
    for key in ordered_keys(c):
        part = c.ranks[c.ranks["outcome"] == key]
        grid = part.pivot_table(index="scenario", columns="rank", values="probability")
        grid = grid.reindex(index=names, columns=ranks).fillna(0.0)
        body = "".join(
            f"<tr><th>{e(n)}</th>"
            + "".join(f"<td>{percent(v, lang)}</td>" for v in grid.loc[n])
            + "</tr>"
            for n in names
        )
        label = e(outcome(key).label(lang))
        out.append(f"<h3>{label}</h3><table><tr><th></th>{head}</tr>{body}</table>")
    return "".join(out)


def per_world_counts(c: Comparison) -> tuple[int, int]:
    """The worlds and the seeds each holds (the fewest, where they differ)."""
    assert c.worlds is not None
    per = c.runs.groupby(["scenario", "world"]).size()
    return len(c.worlds), int(per.min()) if len(per) else 0
