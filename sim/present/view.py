"""What a viewer needs of a run, month by month, as plain data (no plotly, no web code).

A `Viewer` steps a `RegionModel` one month at a time and, after each step, reads the model's
public state into a frame: a dict of plain values (JSON-serialisable: NaN becomes None). The
animation (sim/present/animate.py) takes all frames at once with `snapshots`; a live app steps a
`Viewer` itself. Reading never changes the run: a viewed run's outputs are those of
`RegionModel(scenario, seed).run()` (tests/test_view.py checks it).

`Viewer.meta` describes the run once:

    scenario, description, region, seed, start_year, months, languages
    municipalities: [{name, population, centre, x, y, r}]   map positions in a unit box (y down)
    themes: [{key, label: {en, nl}, arrangement: {en, nl}}]
    strip: [{key, label: {en, nl}, unit: {en, nl}}]          the running strip's series

A frame (`Viewer.step()`; `Viewer.initial()` is the state before the first month, month -1):

    month, year, label: {en, nl}                     month index from January of start_year
    municipalities: [{name, population, energy, legitimacy, pledges_paid, ownership,
                      paid, withheld}]               pledges_paid: paid / due so far (None: none
                                                     due yet); ownership: mean over the themes;
                                                     paid, withheld: instalments this month,
                                                     each {pid, theme}
    trust: [[None | float]]                          trust[i][j]: i's trust in j
    tables: [{theme, body, met, seated, clients}]    per theme: its meeting body met this month?
    projects: [{pid, theme, start, completion, adopted, members: [{name, mode}]}]   running
    closed: [{pid, theme, completion, members}]      projects that closed this month
    events: [{kind, municipality, theme, value}]     the month's lines of the event log
    captions: {en, nl}                               those events as one sentence per language
    strip: {commitment_cum, progress, meeting_hours, trust_mean, ownership_mean,
            image_of_centre}                 recorder series, and what the viewer reads off
                                             the model (`VIEWED`)

Side by side, runs are aligned on the calendar (`align`): the same calendar month in every
panel, a run shown in its initial state before it starts and in its last state after it ends.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from babel.lists import format_list

from sim.model.config import Scenario
from sim.model.model import RegionModel
from sim.model.outcomes import Outcome, outcome
from sim.present import i18n
from sim.present.map_layout import layout

if TYPE_CHECKING:
    from agents.municipality import Municipality
    from sim.model.project import Project

Frame = dict[str, Any]
"""One month of a run as plain data (the module docstring lists its keys)."""

STRIP = (
    "commitment_cum",
    "progress",
    "meeting_hours",
    "trust_mean",
    "ownership_mean",
    "image_of_centre",
)
"""The running strip: series columns of the recorder (sim/model/recorder.py, SERIES), and
the series the viewer reads off the model itself (`VIEWED`)."""


def _clean(x: float) -> float | None:
    """A float for JSON: NaN and infinities become None."""
    return None if x != x or math.isinf(x) else float(x)


VIEWED = ("image_of_centre",)
"""Strip series that are no recorder column: the viewer reads them off the model each month
(`strip_values`); each is named by the catalogue's `animate.KEY` and has no unit."""


@cache
def strip_outcome(key: str) -> Outcome:
    """What a strip series is called and how it is shown: the outcome catalogue's entry, or,
    for one the viewer reads itself, an entry worded from the language catalogue."""
    if key not in VIEWED:
        return outcome(key)
    en, nl = (i18n.text(f"animate.{key}", lang) for lang in ("en", "nl"))
    return Outcome(key, en, nl, decimals=2)


def image_of_centre(model: RegionModel) -> float:
    """The others' image of the centre: how much worse, on average, the other municipalities
    read the centre's delivery than it was (sim/model/trust.py's `images`; 0 = as it was)."""
    images = model.trust.images
    c = model.centre.index
    return float((images[:, c].sum() - images[c, c]) / max(len(images) - 1, 1))


def strip_values(model: RegionModel) -> dict[str, float | None]:
    """The strip's values after the model's last month (None for every one before the first)."""
    rows = model.recorder.rows
    if not rows:
        return dict.fromkeys(STRIP)
    seen = {"image_of_centre": image_of_centre(model)}
    return {key: _clean(seen[key] if key in VIEWED else rows[-1][key]) for key in STRIP}


# --- captions --------------------------------------------------------------------------------


def _event_fields(event: Frame, theme_labels: dict[str, dict[str, str]], lang: str) -> dict:
    theme = event["theme"]
    value = event["value"]
    return {
        "municipality": event["municipality"],
        "theme": theme_labels[theme][lang] if theme in theme_labels else theme,
        "participants": i18n.number(value, lang, 0) if value is not None else "",
        "forgiven": i18n.number(value, lang, 0) if value is not None else "",
        "share": i18n.percent(value, lang) if value is not None else "",
    }


LISTED = ("theme", "municipality")
"""The fields a merged caption lists ("wonen en mobiliteit"); the others must agree."""


def _merged(events: Sequence[Frame], theme_labels: dict[str, dict[str, str]], lang: str) -> list:
    """A month's events, those of one kind that read alike merged: (kind, count, fields), in
    the order their first event came. Events merge when every field their sentence shows,
    other than the theme and the municipality, reads the same; the theme and the municipality
    are then listed, each once."""
    groups: dict[tuple, list[dict]] = {}
    for e in events:
        fields = _event_fields(e, theme_labels, lang)
        shown = i18n.placeholders(i18n.catalogue(lang)[f"caption.{e['kind']}"])
        key = (e["kind"], *((k, fields[k]) for k in sorted(shown - set(LISTED))))
        groups.setdefault(key, []).append(fields)
    out = []
    for key, members in groups.items():
        fields = dict(members[0])
        for name in LISTED:
            values = list(dict.fromkeys(m[name] for m in members if m[name]))
            fields[name] = format_list(values, locale=i18n.LOCALES[lang]) if values else ""
        out.append((key[0], len(members), fields))
    return out


def caption(
    events: Sequence[Frame],
    theme_labels: dict[str, dict[str, str]],
    start_year: int,
    month: int,
    lang: str,
) -> str:
    """A month's events as one line: "maart 2026: verkiezingen; Zwijndrecht stapt uit wonen".

    Each event kind has its sentence in the language catalogue (`caption.KIND`), and one for
    several such events in a month (`caption.many.KIND`, with their `{count}`): "2 voorstellen
    over wonen en mobiliteit verworpen" rather than the same words twice. An empty month says
    so. `theme_labels` maps a theme key to its label per language.
    """
    when = i18n.month_label(start_year, max(month, 0), lang)
    if events:
        parts = [
            i18n.text(
                f"caption.{kind}" if count == 1 else f"caption.many.{kind}",
                lang,
                count=i18n.number(count, lang, 0),
                **fields,
            )
            for kind, count, fields in _merged(events, theme_labels, lang)
        ]
        said = i18n.text("caption.separator", lang).join(parts)
    else:
        said = i18n.text("animate.no_events", lang)
    return i18n.text("caption.line", lang, month=when, events=said)


# --- the viewer ------------------------------------------------------------------------------


class Viewer:
    """Steps one run a month at a time and says what a viewer sees after each month.

    Args:
        scenario: a validated scenario (sim.model.config.load_scenario).
        seed: the run's seed, as for `RegionModel`.
    """

    def __init__(self, scenario: Scenario, seed: int = 0) -> None:
        self.scenario = scenario
        self.seed = seed
        self.model = model = RegionModel(scenario, seed=seed)
        self.months = scenario.months
        self._logged = 0  # how much of the event log earlier frames took
        self._open: list = []  # projects running before the step
        self._before: dict[int, tuple[float, float]] = {}  # id(membership) -> (due, paid)
        munis = [(m.name, m.population) for m in model.municipalities]
        where = layout(munis, model.centre.name)
        self.theme_labels = {
            t.name: {lang: i18n.label(t.character, lang) for lang in i18n.LANGUAGES}
            for t in model.themes
        }
        self.meta: Frame = {
            "scenario": scenario.name,
            "description": scenario.description,
            "region": model.region.label,
            "seed": seed,
            "start_year": scenario.start_year,
            "months": self.months,
            "languages": list(i18n.LANGUAGES),
            "municipalities": [
                {
                    "name": m.name,
                    "population": m.population,
                    "centre": m is model.centre,
                    "x": where[m.name][0],
                    "y": where[m.name][1],
                    "r": where[m.name][2],
                }
                for m in model.municipalities
            ],
            "themes": [
                {
                    "key": t.name,
                    "label": self.theme_labels[t.name],
                    "arrangement": {
                        lang: i18n.label(t.arrangement, lang) for lang in i18n.LANGUAGES
                    },
                }
                for t in model.themes
            ],
            "strip": [
                {
                    "key": key,
                    "label": {lang: strip_outcome(key).label(lang) for lang in i18n.LANGUAGES},
                    "unit": {lang: strip_outcome(key).unit(lang) for lang in i18n.LANGUAGES},
                }
                for key in STRIP
            ],
        }

    @property
    def month(self) -> int:
        """How many months have been stepped."""
        return self.model.steps

    @property
    def done(self) -> bool:
        return self.month >= self.months

    def initial(self) -> Frame:
        """The state before the first month (month -1): no events, nothing paid, nothing met."""
        return self._frame(-1, [], {}, [])

    def step(self) -> Frame:
        """Run one month and return its frame."""
        if self.done:  # a caller that steps by hand checks `done` first
            raise RuntimeError(f"the run is over: it has {self.months} months")
        model = self.model
        month = self.month
        self._open = list(model.projects)
        self._before = {id(ms): (ms.due, ms.paid) for p in self._open for ms in p.members}
        model.step()
        events = model.recorder.event_rows[self._logged :]
        self._logged += len(events)
        running = {p.pid for p in model.projects}
        closed = [p for p in self._open if p.pid not in running]
        return self._frame(month, events, self._payments(), closed)

    def __iter__(self) -> Iterator[Frame]:
        while not self.done:
            yield self.step()

    # --- reading the model's public state ----------------------------------------------------

    def _payments(self) -> dict[str, dict[str, list[dict]]]:
        """Who paid and who withheld an instalment this month, per municipality: an
        instalment fell due where a membership's `due` grew; it was paid where `paid` grew by
        as much (a withheld instalment recovered by escalation counts as paid)."""
        out: dict[str, dict[str, list[dict]]] = {}
        seen = {id(p) for p in self._open}
        projects = self._open + [p for p in self.model.projects if id(p) not in seen]
        for p in projects:
            for ms in p.members:
                due0, paid0 = self._before.get(id(ms), (0.0, 0.0))
                due = ms.due - due0
                if due <= 0.0:
                    continue
                kept = ms.paid - paid0 >= due * (1 - 1e-9)
                mark = {"pid": p.pid, "theme": p.theme.name}
                entry = out.setdefault(ms.municipality.name, {"paid": [], "withheld": []})
                entry["paid" if kept else "withheld"].append(mark)
        return out

    def _tables(self, month: int) -> list[Frame]:
        """Per theme: did its meeting body meet this month (it was due, `MeetingBody.due`, and
        anyone sits at one of its tables, as sim/model/phases/tables.meet has it), who sits
        there."""
        model = self.model
        out = []
        for b, body in enumerate(model.bodies):
            seats = [model.table_members(t) for t in body.themes]
            due = month >= 0 and body.due(month)
            met = due and any(seats)
            for theme, seated in zip(body.themes, seats, strict=True):
                modes = {
                    m.name: model.network.edges[m.index, theme.table].get("mode", "seated")
                    for m in seated
                }
                out.append(
                    {
                        "theme": theme.name,
                        "body": b,
                        "met": met,
                        "seated": [n for n, md in modes.items() if md != "client"],
                        "clients": [n for n, md in modes.items() if md == "client"],
                    }
                )
        order = {t.name: t.index for t in model.themes}
        return sorted(out, key=lambda row: order[row["theme"]])

    def _frame(self, month: int, events: list[dict], payments: dict, closed: list) -> Frame:
        model = self.model
        start = self.scenario.start_year
        clean_events = [
            {
                "kind": e["event"],
                "municipality": e["municipality"],
                "theme": e["theme"],
                "value": _clean(e["value"]),
            }
            for e in events
        ]
        shown = max(month, 0)
        return {
            "month": month,
            "year": start + shown // 12,
            "label": {lang: i18n.month_label(start, shown, lang) for lang in i18n.LANGUAGES},
            "municipalities": [_municipality(m, payments) for m in model.municipalities],
            "trust": self._trust(),
            "tables": self._tables(month),
            "projects": [_project(p, month) for p in model.projects],
            "closed": [
                {
                    "pid": p.pid,
                    "theme": p.theme.name,
                    "completion": _clean(p.completion),
                    "members": [ms.municipality.name for ms in p.active],
                }
                for p in closed
            ],
            "events": clean_events,
            "captions": {
                lang: caption(clean_events, self.theme_labels, start, shown, lang)
                if month >= 0
                else ""
                for lang in i18n.LANGUAGES
            },
            "strip": strip_values(model) if month >= 0 else dict.fromkeys(STRIP),
        }

    def _trust(self) -> list[list[float | None]]:
        """Each municipality's trust in each other, in the order of `model.municipalities`
        (None for itself)."""
        model = self.model
        index = {m.index: k for k, m in enumerate(model.municipalities)}
        n = len(model.municipalities)
        trust: list[list[float | None]] = [[None] * n for _ in range(n)]
        for i, row in enumerate(model.trust.matrix.tolist()):
            for j, t in enumerate(row):
                if j != i:
                    trust[index[i]][index[j]] = _clean(t)
        return trust


def _municipality(m: Municipality, payments: dict) -> Frame:
    """A municipality's state this month, and the instalments it paid and withheld."""
    return {
        "name": m.name,
        "population": m.population,
        "energy": _clean(m.energy),
        "legitimacy": _clean(m.legitimacy),
        "pledges_paid": _clean(m.account.paid_projects / m.due_total) if m.due_total > 0 else None,
        "ownership": _clean(sum(m.ownership) / len(m.ownership)) if m.ownership else None,
        "paid": payments.get(m.name, {}).get("paid", []),
        "withheld": payments.get(m.name, {}).get("withheld", []),
    }


def _project(p: Project, month: int) -> Frame:
    """A running project: its theme, start, completion so far, and active members."""
    return {
        "pid": p.pid,
        "theme": p.theme.name,
        "start": p.start,
        "completion": _clean(p.completion),
        "adopted": p.start == month,
        "members": [{"name": ms.municipality.name, "mode": ms.mode} for ms in p.active],
    }


@dataclass
class Run:
    """A whole run as a viewer sees it: its description, its state before the first month,
    and one frame per month (a list, or, from `streamed`, the months made as they are read)."""

    meta: Frame
    initial: Frame
    frames: Iterable[Frame] = field(default_factory=list)

    def to_dict(self) -> Frame:
        return {"meta": self.meta, "initial": self.initial, "frames": list(self.frames)}


def snapshots(scenario: Scenario, seed: int = 0) -> Run:
    """Every month of one run, as frames (see the module docstring)."""
    viewer = Viewer(scenario, seed)
    return Run(viewer.meta, viewer.initial(), list(viewer))


def streamed(scenario: Scenario, seed: int = 0) -> Run:
    """One run whose frames are made a month at a time as they are read, and can be read once:
    for writing a long run without holding every month of it (sim/present/animate.py)."""
    viewer = Viewer(scenario, seed)
    return Run(viewer.meta, viewer.initial(), viewer)


def align(metas: Sequence[Frame]) -> list[list[int]]:
    """Runs side by side on one calendar: for each calendar month from the earliest start to
    the latest end, the frame each run shows (-1: its initial state, before it starts; its
    last frame after it ends). Runs that start in the same year align month by month."""
    starts = [12 * m["start_year"] for m in metas]
    ends = [s + m["months"] for s, m in zip(starts, metas, strict=True)]
    first, last = min(starts), max(ends)
    return [
        [min(max(t - s, -1), m["months"] - 1) for s, m in zip(starts, metas, strict=True)]
        for t in range(first, last)
    ]


def calendar_start(metas: Sequence[Frame]) -> int:
    """The start year of the calendar that `align` lays out (its month 0 is January)."""
    return min(m["start_year"] for m in metas)
