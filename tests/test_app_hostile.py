"""The workshop app as a local server that assumes a hostile page (issue 18, point 6).

Driven through Flask's test client on `create_app(...).server`, as a page in the same browser
could: raw POSTs to Dash's callback route with hypothesis-generated values (random and very
long strings, wrong types, unknown languages, colours, presets, speeds, seeds, ticks,
malformed bodies), scenario paths outside the allow-list (/etc/passwd, /proc/self/environ,
/dev/zero, a FIFO, links out of the working folder, a 5,000-character path) and uploads, and
requests under another Host. Every answer is HTTP 200 with a message in the page's language
(or 204 when a valid request changes nothing), or 403 for a wrong Host; no answer carries a
byte of a file outside the allow-list (a marker planted in one is looked for), no message
quotes a file, and the log has no traceback.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim.io.inputs import TEXT_LIMIT, InputError, read_text
from sim.model.config import PRESETS, list_scenarios, load_scenario
from sim.present import i18n
from sim.present.animate import STATES
from sim.present.app.fields import control_of
from sim.present.app.inputs import CONTROL_IDS, control_fits, host_allowed, shown, signature
from sim.present.app.layout import SPEEDS
from sim.present.app.server import create_app, page_values
from sim.present.app.session import Session, SessionStore
from tests.conftest import start_samenspel

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

PORT = 8050
HOST = f"127.0.0.1:{PORT}"
MARKER = "samenspel-secret-7d1f9"
SID = "0123456789abcdef0123456789abcdef"
HOSTILE = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

VALID = {
    ("lang", "value"): "en",
    ("colour", "value"): STATES[0],
    ("speed", "value"): 1.0,
    ("preset", "value"): "split-2022",
    ("sid", "data"): SID,
}
"""Values a fresh page sends where None would not do (everything else starts as None)."""


class Records(logging.Handler):
    """Every log record of every logger, kept."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def problems(self) -> list[str]:
        """Records with a traceback, or at error level and above."""
        return [
            self.format(r)
            for r in self.records
            if r.exc_info or r.levelno >= logging.ERROR or "Traceback" in r.getMessage()
        ]


@dataclass
class World:
    """The app started in `root`, with files inside and outside its allow-list."""

    root: Path
    outside: Path
    app: object
    client: object
    log: Records

    def post(self, body: object, **kw) -> tuple[int, str]:
        """A raw POST to the callback route at the app's address; the status and the text."""
        if "data" not in kw:
            kw["json"] = body
        got = self.client.post("/_dash-update-component", base_url=f"http://{HOST}", **kw)
        return got.status_code, got.get_data(as_text=True)

    def status(self, host: str, method: str = "get") -> int:
        """The status of a request to the app under the Host header `host`."""
        path = "/" if method == "get" else "/_dash-update-component"
        kw = {"json": {}} if method == "post" else {}
        got = self.client.open(path, method=method.upper(), headers={"Host": host}, **kw)
        return got.status_code


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    tmp = tmp_path_factory.mktemp("hostile")
    root, outside = tmp / "work", tmp / "outside"
    (root / "experiments").mkdir(parents=True)
    outside.mkdir()
    secret = f'name = "{MARKER}"\nyears = "{MARKER}"\n{MARKER} = "{MARKER}"\n'
    (outside / "secret.toml").write_text(secret)
    (root / "inside-bad.toml").write_text(
        f'name = "{MARKER}"\nyears = "{MARKER}"\n{MARKER} = 1\n'
        f'[behaviour]\n{MARKER} = "{MARKER}"\n[arrangements.{MARKER}]\nbased_on = "{MARKER}"\n'
    )
    (root / "broken.toml").write_text(f'name = "ok"\n\n{MARKER} = = "{MARKER}"\n')
    (root / "big.toml").write_text("#" * (TEXT_LIMIT + 1))
    (root / "mine.toml").write_text((PRESETS / "grd.toml").read_text())
    (root / "experiments" / "mine.toml").write_text((PRESETS / "network.toml").read_text())
    (root / "to-passwd.toml").symlink_to("/etc/passwd")
    (root / "to-secret.toml").symlink_to(outside / "secret.toml")
    (root / "to-outside").symlink_to(outside)
    (root / "to-zero.toml").symlink_to("/dev/zero")
    os.mkfifo(root / "fifo.toml")
    app = create_app("en", port=PORT, root=root)
    log = Records()
    logging.getLogger().addHandler(log)
    yield World(root, outside, app, app.server.test_client(), log)
    logging.getLogger().removeHandler(log)


@pytest.fixture(autouse=True)
def _clean_log(world):
    world.log.records.clear()
    yield
    assert world.log.problems() == []


# --- building requests as the page does --------------------------------------------------------


def _matches(pattern: dict, component: dict) -> bool:
    return pattern.keys() == component.keys() and all(
        v == ["ALL"] or v == component[k] for k, v in pattern.items()
    )


def signatures(app) -> dict:
    return {key: signature(key, cb) for key, cb in app.callback_map.items()}


def body(app, key: str, values: dict | None = None, changed: tuple[str, ...] = ()) -> dict:
    """The request the page sends for callback `key`, with `values` by (component, property)
    (the controls' by their id: {(json id, property): value})."""
    values = {**VALID, **(values or {})}
    outputs, inputs, states = signatures(app)[key]

    def entry(dep: tuple, with_value: bool) -> object:
        component, prop = dep
        if isinstance(component, dict):
            found = [c for c in CONTROL_IDS if _matches(component, c)]
            out = [{"id": c, "property": prop} for c in found]
            if with_value:
                for e in out:
                    e["value"] = values.get(
                        (json.dumps(e["id"]), prop), e["id"] if prop == "id" else None
                    )
            return out
        return {
            "id": component,
            "property": prop,
            **({"value": values.get(dep)} if with_value else {}),
        }

    sent_outputs = [entry(d, False) for d in outputs]
    return {
        "output": key,
        "outputs": sent_outputs if key.startswith("..") else sent_outputs[0],
        "inputs": [entry(d, True) for d in inputs],
        "state": [entry(d, True) for d in states],
        "changedPropIds": list(changed),
    }


def key_of(app, component: str, prop: str = "value") -> str:
    """The callback with `component`.`prop` among its inputs or states, and the most outputs."""
    found = [k for k, (_, ins, sts) in signatures(app).items() if (component, prop) in ins + sts]
    return max(found, key=len)


RUN_KEY = "load-message.children"


def run_key(app) -> str:
    return next(k for k in signatures(app) if RUN_KEY in k)


def message(text: str) -> str:
    """The load message of an answer: a refusal's (beside any output), or the callback's."""
    answer = json.loads(text)
    return answer.get("sideUpdate", answer["response"])["load-message"]["children"]


def said(children: object) -> str:
    """The text of a message, as a string or a rendered span."""
    if isinstance(children, dict):
        return said(children["props"]["children"])
    return children if isinstance(children, str) else ""


def refused_words(key: str, lang: str) -> str:
    """The fixed start of a refusal's words in `lang` (before its first field)."""
    return i18n.text(f"app.refused.{key}", lang).split("{")[0]


# --- hostile values for every callback -------------------------------------------------------

long_text = st.builds(lambda s, n: (s or "x") * n, st.text(max_size=5), st.integers(1000, 1300))
"""Strings of 1,000 to 6,500 characters (a 5,000-character path among them)."""
leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["de", "fr", "EN", "colour", "nope", "/etc/passwd", "../outside", "yes"])
)
hostile = long_text | st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


def inputs_of(app, key: str) -> list[tuple]:
    _, inputs, states = signatures(app)[key]
    return [d for d in inputs + states if not isinstance(d[0], dict)]


@HOSTILE
@given(st.data())
def test_every_callback_answers_any_value_in_the_page(world, data):
    """Random values for one or more of a callback's inputs and states (and of a control):
    HTTP 200 (a refusal or the callback's answer) or 204 (nothing to change), never a 500."""
    app = world.app
    key = data.draw(st.sampled_from(sorted(signatures(app))))
    deps = inputs_of(app, key)
    chosen = data.draw(st.lists(st.sampled_from(deps), min_size=1, max_size=3, unique=True))
    values = {dep: data.draw(hostile) for dep in chosen}
    if data.draw(st.booleans()):
        control = data.draw(st.sampled_from([c for c in CONTROL_IDS if c["part"] == "input"]))
        values[(json.dumps(control), "value")] = data.draw(hostile)
    changed = data.draw(st.lists(st.sampled_from([f"{c}.{p}" for c, p in deps]), max_size=2))
    status, text = world.post(body(app, key, values, tuple(changed)))
    assert status in (200, 204), text[:500]
    if status == 200:
        assert "response" in json.loads(text)
    assert "Traceback" not in text


ENUMS = [("lang", "value"), ("colour", "value"), ("preset", "value"), ("speed", "value")]


@HOSTILE
@given(
    which=st.sampled_from(ENUMS),
    value=hostile,
    lang=st.sampled_from(i18n.LANGUAGES),
)
def test_an_unknown_language_colour_preset_or_speed_is_said_in_the_page(world, which, value, lang):
    allowed = {
        ("lang", "value"): i18n.LANGUAGES,
        ("colour", "value"): STATES,
        ("preset", "value"): tuple(list_scenarios()),
        ("speed", "value"): SPEEDS,
    }[which]
    assume(not any(type(value) is type(a) and value == a for a in allowed))
    app = world.app
    values = {("lang", "value"): lang, which: value}
    status, text = world.post(body(app, key_of(app, which[0], which[1]), values))
    assert status == 200
    expected_lang = lang if which != ("lang", "value") else "en"  # the app's own language
    assert message(text).startswith(refused_words("value", expected_lang))
    assert f"{which[0]}.{which[1]}" in message(text)


@HOSTILE
@given(
    which=st.sampled_from(
        [("shown", "data"), ("version", "data"), ("clock", "n_intervals"), ("b-step", "n_clicks")]
    ),
    value=hostile.filter(lambda v: not (v is None or (type(v) is int and 0 <= v < 2**53))),
)
def test_a_tick_or_month_that_is_not_a_count_is_refused(world, which, value):
    app = world.app
    status, text = world.post(body(app, key_of(app, *which), {which: value}))
    assert status == 200
    assert message(text).startswith(refused_words("value", "en"))


CULTURE_INPUTS = [c for c in CONTROL_IDS if c["kind"] == "culture" and c["part"] == "input"]


@HOSTILE
@given(which=st.sampled_from(CULTURE_INPUTS), value=hostile | st.floats(-100, 200))
def test_a_culture_value_the_page_cannot_send_is_refused(world, which, value):
    """Apply with a culture slider at a value it cannot hold (outside the [culture] field's
    range, not a number): refused before the run is touched, naming no value."""
    assume(not control_fits(control_of(which), value))
    app = world.app
    values = {(json.dumps(which), "value"): value, ("b-apply", "n_clicks"): 1}
    status, text = world.post(body(app, run_key(app), values, ("b-apply.n_clicks",)))
    assert status == 200
    assert message(text).startswith(refused_words("value", "en"))


def test_a_culture_value_the_page_can_send_is_applied(world):
    app = world.app
    world.post(body(app, run_key(app)))  # the page's first call: a session
    forum = next(c for c in CULTURE_INPUTS if c["name"] == "forum_interval_months")
    values = {(json.dumps(forum), "value"): 3, ("b-apply", "n_clicks"): 1}
    status, text = world.post(body(app, run_key(app), values, ("b-apply.n_clicks",)))
    assert status == 200
    said = json.loads(text)["response"]["apply-message"]["children"]
    assert said["props"]["className"] == "ok" and said["props"]["children"].startswith("Applied")


@HOSTILE
@given(seed=hostile.filter(lambda v: not (type(v) is int and 0 <= v < 2**63) and v is not None))
def test_a_seed_out_of_range_is_said_in_the_pages_language(world, seed):
    app = world.app
    values = {("seed", "value"): seed, ("lang", "value"): "nl"}
    status, text = world.post(body(app, run_key(app), values, ("seed.value",)))
    assert status == 200
    assert message(text) == i18n.text(
        "app.refused.seed", "nl", most=i18n.number(2**63 - 1, "nl", 0)
    )


json_bodies = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["output", "outputs", "inputs", "state", "changedPropIds", "x"])
            | st.text(max_size=6),
            inner,
            max_size=5,
        )
    ),
)


@HOSTILE
@given(json_bodies)
def test_a_malformed_request_is_answered_in_the_page(world, data):
    status, text = world.post(data)
    assert status == 200
    assert message(text).startswith(refused_words("value", "en"))


@HOSTILE
@given(st.data())
def test_a_request_that_does_not_match_its_callback_is_refused(world, data):
    """A real callback's request with one part changed: an entry dropped, duplicated or
    swapped, a control list cut or reordered, an unknown changed id."""
    app = world.app
    key = data.draw(st.sampled_from(sorted(signatures(app))))
    sent = body(app, key)
    part = data.draw(st.sampled_from(["inputs", "state", "changedPropIds", "outputs"]))
    entries = sent[part] if isinstance(sent[part], list) else [sent[part]]
    how = data.draw(st.sampled_from(["drop", "double", "reverse", "garble"]))
    if part == "changedPropIds" or how == "garble":
        garbled = data.draw(st.text(max_size=40)) + ".value"
        assume(garbled not in {f"{e['id']}.value" for e in sent["inputs"] if isinstance(e, dict)})
        sent["changedPropIds"] = [garbled]
    elif how == "drop":
        sent[part] = entries[1:] if isinstance(sent[part], list) else []
    elif how == "double":
        assume(entries)
        sent[part] = [entries[0], *entries]
    else:
        lists = [e for e in entries if isinstance(e, list) and len(e) > 1]
        assume(lists)
        lists[0].reverse()
    status, text = world.post(sent)
    assert status == 200
    assert message(text).startswith(refused_words("value", "en"))


def test_a_body_that_is_not_json_or_too_large_is_answered_in_the_page(world):
    status, text = world.post(None, data=b"\xff\x00 not json", content_type="application/json")
    assert status == 200 and message(text).startswith(refused_words("value", "en"))
    status, text = world.post(None, data=b"output=x", content_type="text/plain")
    assert status == 200 and message(text).startswith(refused_words("value", "en"))
    big = b"x" * (4 * TEXT_LIMIT + 1)
    status, text = world.post(None, data=big, content_type="application/json")
    assert status == 200 and message(text).startswith(refused_words("body", "en"))
    for nested in (b"[" * 200_000, b'{"a":' * 80_000, b"[" * 100_000 + b"]" * 100_000):
        status, text = world.post(None, data=nested, content_type="application/json")
        assert status == 200 and message(text).startswith(refused_words("value", "en"))
    assert not world.log.problems()


def test_the_page_as_the_browser_sends_it_is_not_refused(world):
    """The control: a fresh page's requests pass the checks and do their work."""
    app = world.app
    status, text = world.post(body(app, run_key(app)))
    assert status == 200
    answer = json.loads(text)["response"]
    assert answer["month"]["children"].startswith("before")
    status, text = world.post(
        body(app, key_of(app, "b-step", "n_clicks"), {}, ("b-step.n_clicks",))
    )
    assert status == 200 and json.loads(text)["response"]["month"]["children"] == "January 2022"


# --- scenario files: the allow-list ------------------------------------------------------------


def load(world: World, path: str, lang: str = "en") -> str:
    """The load message for `path` typed in the path box and Load pressed."""
    app = world.app
    values = {("path", "value"): path, ("lang", "value"): lang, ("b-load", "n_clicks"): 1}
    status, text = world.post(body(app, run_key(app), values, ("b-load.n_clicks",)))
    assert status == 200, text[:300]
    assert MARKER not in text and "root:" not in text
    return said(message(text))


OUTSIDE = [
    "/etc/passwd",
    "/proc/self/environ",
    "/dev/zero",
    "/etc/no-such-file-here",
    "../outside/secret.toml",
    "to-passwd.toml",
    "to-secret.toml",
    "to-zero.toml",
    "to-outside/secret.toml",
    "experiments/../../outside/secret.toml",
]


def load_error(key: str, lang: str = "en", **fields: object) -> str:
    words = i18n.text(f"app.refused.{key}", lang, **fields)
    return i18n.text("app.load_error", lang, message=words)


@pytest.mark.parametrize("path", OUTSIDE)
def test_a_file_outside_the_allow_list_is_refused_without_a_word_about_it(world, path):
    """The same words whether the file exists, is a device, a link or nothing at all."""
    for lang in i18n.LANGUAGES:
        assert load(world, path, lang) == load_error("outside", lang, path=path)


def test_the_secret_by_its_absolute_path_is_refused_like_any_other(world):
    path = str(world.outside / "secret.toml")
    assert load(world, path) == load_error("outside", path=shown(path))


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("fifo.toml", "kind"),
        ("big.toml", "size"),
        ("experiments", "kind"),
        ("no-such.toml", "missing"),
        ("x" * 5000, "name"),
        ("a\x00b.toml", "name"),
        ("broken.toml", "toml"),
    ],
)
def test_a_file_inside_the_allow_list_that_cannot_be_used_is_said_in_words(world, path, reason):
    for lang in i18n.LANGUAGES:
        started = time.monotonic()
        got = load(world, path, lang)
        assert time.monotonic() - started < 30  # a FIFO never blocks a server thread
        assert got.startswith(i18n.text("app.load_error", lang, message=""))
        fixed = i18n.text(f"app.refused.{reason}", lang).split("}", 1)[-1].split("{")[0]
        assert fixed in got, got
        assert len(got) < 600


def test_a_scenario_with_bad_values_names_fields_never_values(world):
    got = load(world, "inside-bad.toml", "nl")
    assert got.startswith(
        "Dit scenario kan niet worden gebruikt. inside-bad.toml: aantal problemen"
    )
    assert "- years: een waarde die niet is toegestaan" in got
    assert "- (het bovenste niveau): een onbekende sleutel" in got
    assert "- behaviour: een onbekende sleutel" in got
    assert "- arrangements: een waarde die niet is toegestaan" in got


@pytest.mark.parametrize("path", ["mine.toml", "experiments/mine.toml", "grd"])
def test_scenarios_in_the_allow_list_load(world, path):
    assert load(world, path) == ""


def test_a_file_named_like_a_preset_never_stands_in_for_it(world, monkeypatch):
    """A preset is read from the package, not from a file of its name where the server runs."""
    (world.outside / "grd").write_text((world.outside / "secret.toml").read_text())
    monkeypatch.chdir(world.outside)
    assert load(world, "grd") == ""
    app = world.app
    status, text = world.post(body(app, run_key(app), {("preset", "value"): "grd"}))
    assert status == 200 and MARKER not in text and said(message(text)) == ""


@HOSTILE
@given(
    st.lists(
        st.sampled_from(["..", ".", "to-outside", "to-passwd.toml", "experiments", "/", "etc"])
        | st.text(min_size=1, max_size=12),
        min_size=1,
        max_size=8,
    )
)
def test_any_path_answers_in_the_page_and_never_with_a_file_outside(world, parts):
    path = "/".join(parts)
    got = load(world, path)
    assert got == "" or got.startswith("This scenario cannot be used.")


def test_read_text_within_takes_dotdot_by_name_and_links_resolved(world):
    secret = world.root / "experiments" / ".." / ".." / "outside" / "secret.toml"
    for path in (secret, world.root / "to-secret.toml", world.root / "to-outside" / "secret.toml"):
        with pytest.raises(InputError) as refused:
            read_text(path, "scenario", within=[world.root])
        assert refused.value.reason == "outside" and MARKER not in str(refused.value)
    assert read_text(world.root / "x" / ".." / "mine.toml", within=[world.root]).startswith("#")


# --- uploads and presets in a raw POST -----------------------------------------------------------


def upload(world: World, contents: object, filename: object = "mine.toml") -> str:
    app = world.app
    values = {("upload", "contents"): contents, ("upload", "filename"): filename}
    status, text = world.post(body(app, run_key(app), values, ("upload.contents",)))
    assert status == 200, text[:300]
    return said(message(text))


def data_url(data: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


@HOSTILE
@given(
    st.binary(max_size=300)
    | st.text(max_size=300).map(str.encode)
    | st.sampled_from([b"name = ", b"\xff\xfe", b'name = "x"\n[[[', b"a = 1\n" * 50])
)
def test_an_upload_is_read_like_a_file(world, data):
    got = upload(world, data_url(data))
    assert got.startswith("This scenario cannot be used. mine.toml: ")


@HOSTILE
@given(st.text(max_size=200) | st.sampled_from(["data:,", "data:x;base64,!!!!", "no comma"]))
def test_an_upload_that_is_not_a_data_url_is_refused(world, contents):
    assume(contents)
    got = upload(world, contents)
    assert got.startswith("This scenario cannot be used. mine.toml: ")


def test_an_upload_larger_than_the_cap_is_refused_by_its_size(world):
    got = upload(world, data_url(b"#" * (TEXT_LIMIT + 1)), "x" * 300)
    assert "larger than 1 MB" in got and len(got) < 300
    assert upload(world, data_url((PRESETS / "grd.toml").read_bytes())) == ""


@pytest.mark.parametrize("preset", ["/etc/passwd", "../../outside/secret", "to-secret", MARKER])
def test_a_preset_in_a_raw_post_is_one_of_the_presets(world, preset):
    app = world.app
    values = {("preset", "value"): preset}
    status, text = world.post(body(app, run_key(app), values, ("preset.value",)))
    assert status == 200 and MARKER not in text
    assert message(text) == i18n.text("app.refused.value", "en", what="preset.value")


# --- the last fence -----------------------------------------------------------------------------


class Failing(Session):
    """A session whose month fails, as an unforeseen error would."""

    def step(self):
        raise RuntimeError("unforeseen")


def test_a_failing_callback_is_a_message_and_one_log_line(world, tmp_path):
    store = SessionStore()
    store.put(SID, Failing(load_scenario("split-2022")))
    app = create_app("nl", store, port=PORT, root=tmp_path)
    client = app.server.test_client()
    sent = body(
        app, key_of(app, "b-step", "n_clicks"), {("lang", "value"): "nl"}, ("b-step.n_clicks",)
    )
    got = client.post("/_dash-update-component", json=sent, base_url=f"http://{HOST}")
    assert got.status_code == 200
    assert message(got.get_data(as_text=True)) == i18n.text("app.refused.failed", "nl")
    lines = [r for r in world.log.records if r.levelno >= logging.ERROR]
    assert len(lines) == 1 and not lines[0].exc_info and "RuntimeError" in lines[0].getMessage()
    world.log.records.clear()


# --- the Host header ------------------------------------------------------------------------------


@HOSTILE
@given(
    st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z]{2,6}){1,2}", fullmatch=True)
    | st.sampled_from(["evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "0x7f000001"])
)
def test_a_request_under_another_name_gets_403(world, name):
    for host in (name, f"{name}:{PORT}"):
        assert world.status(host) == 403
        assert world.status(host, "post") == 403


@pytest.mark.parametrize(
    "host", [HOST, f"localhost:{PORT}", f"[::1]:{PORT}", f"LOCALHOST:{PORT}", f"127.0.0.2:{PORT}"]
)
def test_the_apps_own_address_is_served(world, host):
    assert world.status(host) == 200


@pytest.mark.parametrize("host", ["127.0.0.1", f"127.0.0.1:{PORT + 1}", f"192.168.1.5:{PORT}"])
def test_another_port_or_address_gets_403(world, host):
    assert world.status(host) == 403


@pytest.mark.parametrize(
    ("bound", "header", "allowed"),
    [
        ("192.168.1.5", "192.168.1.5:8050", True),
        ("192.168.1.5", "127.0.0.1:8050", False),
        ("192.168.1.5", "localhost:8050", False),
        ("192.168.1.5", "workshop.example:8050", False),
        ("0.0.0.0", "192.168.1.5:8050", True),
        ("0.0.0.0", "localhost:8050", True),
        ("0.0.0.0", "workshop.example:8050", False),
        ("::", "[fe80::1]:8050", True),
        ("::1", "[::1]:8050", True),
        ("::1", "[::1]:8051", False),
        ("127.0.0.1", None, True),
        ("127.0.0.1", "", False),
        ("127.0.0.1", "127.0.0.1:8050:8050", False),
    ],
)
def test_host_allowed_for_each_kind_of_address(bound, header, allowed):
    assert host_allowed(header, bound, 8050) is allowed


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_a_host_beyond_loopback_is_warned_of_in_the_language_asked(tmp_path, lang):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = start_samenspel(
        ["app", "--host", "0.0.0.0", "--port", str(port), "--lang", lang], tmp_path
    )
    try:
        line = proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    expected = i18n.text("app.exposed", lang, address=f"0.0.0.0:{port}", folder=tmp_path.resolve())
    assert line.strip() == expected


def test_every_value_a_callback_reads_is_checked(world):
    """A new input or state of a callback needs its line in sim.present.app.server.page_values."""
    values = page_values()
    for _, inputs, states in signatures(world.app).values():
        for component, prop in inputs + states:
            if isinstance(component, dict):
                assert prop in ("value", "id"), (component, prop)
            else:
                assert (component, prop) in values, (component, prop)
