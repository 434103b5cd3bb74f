"""The workshop app without a browser: controls, scenarios built from them, sessions, the
month's update, the command line (`samenspel app`)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from dash import Patch

from sim.model.config import (
    Arrangement,
    Behaviour,
    ConfigError,
    Culture,
    list_scenarios,
    load_arrangement_presets,
    load_scenario,
    scenario_from_dict,
)
from sim.present import i18n
from sim.present.app.fields import control
from sim.present.app.session import (
    BEHAVIOUR,
    CULTURE,
    RULES,
    Session,
    SessionStore,
    build_scenario,
    own_name,
    preset_description,
    rule_values,
)
from sim.present.cli import main
from tests.conftest import ROOT, start_samenspel

# --- controls --------------------------------------------------------------------------------


def test_controls_take_their_ranges_and_choices_from_the_config():
    assert (RULES["monitoring"].minimum, RULES["monitoring"].maximum) == (0.0, 1.0)
    interval = RULES["meeting_interval_months"]
    assert (interval.kind, interval.integer, interval.minimum, interval.maximum) == (
        "slider",
        True,
        1,
        24,
    )
    assert RULES["decision"].choices == ("vote", "party_lines", "provider")
    assert RULES["modes"].kind == "multi"
    assert RULES["veto"].kind == "switch"
    assert BEHAVIOUR["choice_noise"].minimum > 0.0  # an open bound: gt=0
    numeric = {n for n, f in Behaviour.model_fields.items() if f.annotation in (int, float)}
    assert set(BEHAVIOUR) == numeric


def test_every_culture_key_has_a_slider_over_its_range_in_both_languages():
    assert list(CULTURE) == list(Culture.model_fields)  # the [culture] table, in its order
    for name, c in CULTURE.items():
        field = Culture.model_json_schema()["properties"][name]
        assert (c.kind, c.model) == ("slider", "culture")
        assert (c.minimum, c.maximum) == (field["minimum"], field["maximum"])
        assert c.integer == (field["type"] == "integer")
        for lang in i18n.LANGUAGES:
            assert i18n.text(f"app.culture.{name}", lang)
    assert CULTURE["forum_interval_months"].coerce(3.0) == 3
    assert CULTURE["insincerity"].shown(0.2, "nl") == "0,200"


def test_the_page_holds_the_controls_in_the_order_the_requests_are_checked():
    """The culture box between the rules and the behaviour, as CONTROL_IDS expects (a request
    whose controls come in another order is refused)."""
    from sim.present.app.inputs import CONTROL_IDS
    from sim.present.app.layout import layout

    found: list[dict] = []

    def walk(node) -> None:
        ident = getattr(node, "id", None)
        if isinstance(ident, dict) and "kind" in ident:
            found.append(ident)
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if child is not None and not isinstance(child, str):
                walk(child)

    walk(layout("en"))
    assert found == list(CONTROL_IDS)
    kinds = list(dict.fromkeys(c["kind"] for c in found))
    assert kinds == ["rule", "culture", "behaviour"]


def test_a_culture_value_outside_its_range_is_not_one_the_page_sends():
    from sim.present.app.inputs import control_fits

    c = CULTURE["insincerity"]
    assert control_fits(c, 0.5) and control_fits(c, 0) and control_fits(c, None)
    for bad in (0.51, -0.1, float("nan"), float("inf"), "0.2", True, [0.2]):
        assert not control_fits(c, bad), bad
    assert not control_fits(CULTURE["forum_interval_months"], 61)


def test_a_control_coerces_what_a_slider_sends():
    assert RULES["monitoring"].coerce(1) == 1.0 and isinstance(RULES["monitoring"].coerce(1), float)
    assert RULES["meeting_interval_months"].coerce(6.0) == 6
    assert RULES["modes"].coerce(["late_entry", "full"]) == ["full", "late_entry"]


def test_a_field_without_a_range_has_no_slider():
    with pytest.raises(TypeError):
        control(Arrangement, "label")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_control_choice_and_preset_has_words(lang):
    for name in RULES:
        assert i18n.text(f"app.rule.{name}", lang)
        for value in RULES[name].choices:
            assert i18n.text(f"app.value.{value}", lang)
    for name in BEHAVIOUR:
        assert i18n.text(f"app.behaviour.{name}", lang)
    for name in list_scenarios():
        assert preset_description(name, lang)


def test_a_slider_value_is_read_in_its_language():
    assert RULES["monitoring"].shown(0.8, "nl") == "0,80"
    assert RULES["monitoring"].shown(0.8, "en") == "0.80"
    assert BEHAVIOUR["weight_norm"].marks("nl") == {0.0: "0", 10.0: "10"}


# --- scenarios from the controls -------------------------------------------------------------


def test_a_changed_monitoring_makes_an_arrangement_based_on_the_themes_one():
    base = load_scenario("split-2022")
    scenario = build_scenario(base, {"mobility": {"monitoring": 0.8}})
    name = own_name("mobility")
    assert scenario.governance["mobility"] == name
    assert scenario.arrangements[name] == {"based_on": "multiple-local", "monitoring": 0.8}
    ours, theirs = scenario.arrangement(name), load_arrangement_presets()["multiple-local"]
    assert ours.monitoring == 0.8
    assert ours.model_dump(exclude={"monitoring"}) == theirs.model_dump(exclude={"monitoring"})
    others = {t: a for t, a in base.governance.items() if t != "mobility"}
    assert {t: scenario.governance[t] for t in others} == others
    assert scenario.previous_governance == base.previous_governance


def test_the_app_builds_what_a_scenario_file_would():
    base = load_scenario("split-2022")
    built = build_scenario(base, {"mobility": {"monitoring": 0.8, "sanction": 0.5}})
    data = base.model_dump()
    data["arrangements"]["own-mobility"] = {
        "based_on": "multiple-local",
        "monitoring": 0.8,
        "sanction": 0.5,
    }
    data["governance"]["mobility"] = "own-mobility"
    assert built == scenario_from_dict(data)


def test_a_change_to_a_scenarios_own_arrangement_keeps_its_changes():
    data = load_scenario("split-2022").model_dump()
    data["arrangements"]["mine"] = {"based_on": "network", "meeting_interval_months": 6}
    data["governance"]["energy"] = "mine"
    base = scenario_from_dict(data)
    scenario = build_scenario(base, {"energy": {"monitoring": 0.9}})
    assert scenario.arrangements["own-energy"] == {
        "based_on": "network",
        "meeting_interval_months": 6,
        "monitoring": 0.9,
    }
    assert rule_values(scenario, "energy")["meeting_interval_months"] == 6


def test_changed_behaviour_replaces_those_values_only():
    base = load_scenario("split-2022")
    scenario = build_scenario(base, behaviour={"trust_loss": 0.3})
    assert scenario.behaviour.trust_loss == 0.3
    assert scenario.behaviour.trust_gain == base.behaviour.trust_gain


def test_a_changed_culture_goes_into_the_culture_table_as_a_scenario_file_would():
    base = load_scenario("split-2022")
    wanted = {"forum_interval_months": 3, "image_of_centre": 0.0}
    built = build_scenario(base, culture=wanted)
    data = base.model_dump()
    data["culture"] = {**data["culture"], **wanted}
    assert built == scenario_from_dict(data)
    assert built.culture.conversation_interval_months == base.culture.conversation_interval_months
    assert built.governance == base.governance and built.behaviour == base.behaviour
    with pytest.raises(ConfigError, match=r"culture\.insincerity"):
        build_scenario(base, culture={"insincerity": 0.9})
    with pytest.raises(ConfigError, match=r"culture\.forum_interval_months"):
        build_scenario(base, culture={"forum_interval_months": -1})


@pytest.mark.parametrize(
    ("rules", "behaviour", "named"),
    [
        ({"mobility": {"approval_threshold": 1.5}}, None, "arrangements.own-mobility"),
        ({"mobility": {"decision": "lottery"}}, None, "arrangements.own-mobility.decision"),
        ({"mobility": {"modes": ["full", "sometimes"]}}, None, "modes"),
        ({"youth": {"monitoring": 0.5}}, None, "governance.youth"),
        (None, {"trust_loss": 2.0}, "behaviour.trust_loss"),
        (None, {"type_shares": {"conditional": 0.5}}, "- behaviour: "),
    ],
)
def test_an_invalid_combination_gives_a_message_naming_the_field(rules, behaviour, named):
    """Named by the field's place, and said in the page's language (the words of a Dutch
    page are Dutch: no English sentence from the validation leaks into it)."""
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")) as caught:
        build_scenario(load_scenario("split-2022"), rules, behaviour)
    dutch = caught.value.words("nl")  # type: ignore[attr-defined]
    assert named in dutch
    assert "een waarde die niet is toegestaan" in dutch or "opnieuw" in dutch
    assert not any(w in dutch for w in ("allowed", "Input should", "problem(s)", "must"))


# --- sessions --------------------------------------------------------------------------------


def test_a_session_steps_and_its_baseline_is_the_scenario_as_chosen():
    session = Session(load_scenario("split-2022"), seed=3)
    assert session.frame["month"] == -1
    for _ in range(5):
        session.step()
    assert session.month == 5 and len(session.series["commitment_cum"]) == 5
    ghost = session.baseline()
    assert ghost["commitment_cum"][:5] == session.series["commitment_cum"]
    assert len(ghost["commitment_cum"]) == session.viewer.months
    assert session.baseline() is not ghost  # a copy: the page may keep it
    assert session.baseline() == ghost  # computed once per scenario and seed


def test_a_change_rebuilds_the_run_at_the_same_month_and_keeps_only_differences():
    session = Session(load_scenario("split-2022"))
    for _ in range(24):
        session.step()
    current = rule_values(session.base, "mobility")
    session.change("mobility", {**current, "monitoring": 1.0, "sanction": 1.0})
    assert session.rules == {"mobility": {"monitoring": 1.0, "sanction": 1.0}}
    assert session.scenario.arrangements["own-mobility"]["based_on"] == "multiple-local"
    assert session.month == 24
    while session.step() is not None:
        pass
    ghost, live = session.baseline()["commitment_cum"], session.series["commitment_cum"]
    assert live[-1] > ghost[-1]  # detected and recovered instalments: more is paid
    session.discard()
    assert session.scenario == session.base and session.month == session.viewer.months


def test_a_culture_change_rebuilds_the_run_and_its_image_of_the_centre_moves():
    session = Session(load_scenario("split-2022"))
    for _ in range(12):
        session.step()
    culture = session.base.culture.model_dump()
    session.change(None, culture={**culture, "forum_interval_months": 3.0})
    assert session.culture == {"forum_interval_months": 3}  # only what differs is kept
    session.change(None, culture={"forum_interval_months": None})  # a control not yet set
    assert session.culture == {"forum_interval_months": 3}
    assert session.scenario.culture.forum_interval_months == 3 and session.changes
    assert session.month == 12 and session.rules == {} and session.behaviour == {}
    for _ in range(12):
        session.step()
    ghost, live = session.baseline()["image_of_centre"], session.series["image_of_centre"]
    assert ghost[23] == pytest.approx(0.1) and live[23] < ghost[23]  # 8 forums corrected it
    assert len(session.series["ownership_mean"]) == 24
    session.change(None, culture=culture)  # back to the scenario's own values
    assert session.culture == {} and session.scenario == session.base
    session.change(None, culture={"image_of_centre": 0.3})
    session.discard()
    assert session.culture == {} and session.scenario == session.base


def test_the_network_view_can_be_coloured_by_ownership():
    from sim.present.app.display import nodes

    session = Session(load_scenario("culture-first-2022"))
    for _ in range(24):
        session.step()
    owned = [m["ownership"] for m in session.frame["municipalities"]]
    assert all(0.0 <= o <= 1.0 for o in owned) and len(set(owned)) > 1
    drawn = nodes(session, "ownership", "nl")
    assert len(set(drawn["colour"])) > 1
    assert drawn["colour"] != nodes(session, "energy", "nl")["colour"]
    assert all("eigenaarschap " in h for h in drawn["hover"])


def test_an_invalid_change_keeps_the_run_as_it_was():
    session = Session(load_scenario("split-2022"))
    session.step()
    before = (session.scenario, session.rules, session.month)
    with pytest.raises(ConfigError):
        session.change("mobility", {"approval_threshold": 3.0})
    assert (session.scenario, session.rules, session.month) == before


def test_the_session_store_drops_the_least_recently_used():
    store = SessionStore(most=2)
    scenario = load_scenario("split-2022")
    a, b, c = (Session(scenario) for _ in range(3))
    store.put("a", a)
    store.put("b", b)
    assert store.get("a") is a  # now "b" is the least recently used
    store.put("c", c)
    assert "b" not in store and store.get("a") is a and store.get("c") is c
    assert len(store) == 2 and store.get("nobody") is None


def test_the_session_store_is_safe_across_threads():
    store = SessionStore(most=1000)
    session = Session(load_scenario("split-2022"))

    def fill(k: int) -> None:
        for n in range(200):
            store.put(f"{k}-{n}", session)
            store.get(f"{k}-{n // 2}")

    threads = [threading.Thread(target=fill, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store) == 800


# --- the month's update ----------------------------------------------------------------------


def test_a_month_is_sent_as_patches_and_a_dropped_answer_is_made_good():
    from sim.present.app.updates import redraw, step_update

    session = Session(load_scenario("split-2022"))
    full = redraw(session, "nl", "energy", 0)
    assert full["shown"] == 0 and not isinstance(full["charts"], Patch)
    assert full["month"].startswith("vóór januari 2022")
    out = step_update(session, "nl", "energy", 0)
    assert isinstance(out["charts"], Patch) and isinstance(out["map"], Patch)
    assert out["month"] == "januari 2022" and out["shown"] == 1
    step_update(session, "nl", "energy", 1)  # this answer "is lost": the page still shows 1
    out = step_update(session, "nl", "energy", 1)
    x = [op for op in out["charts"].to_plotly_json()["operations"] if op["location"][-1] == "x"]
    assert x[0]["params"]["value"] == [1, 2]  # both months the page lacks


def test_a_month_sends_only_the_network_views_parts_that_changed():
    from sim.present.app.display import nodes
    from sim.present.app.figures import network_figure
    from sim.present.app.updates import step_update

    session = Session(load_scenario("split-2022"))
    sent = {"color": 0, "text": 0}
    for _ in range(36):
        drawn = nodes(session, "energy", "en")
        out = step_update(session, "en", "energy", session.month)
        now = nodes(session, "energy", "en")
        ops = out["map"].to_plotly_json()["operations"]
        where = {tuple(op["location"]): op["params"]["value"] for op in ops}
        text = where.get(("data", 0, "text"))
        assert text == (now["label"] if now["label"] != drawn["label"] else None)
        sent["text"] += text is not None
        sent["color"] += ("data", 0, "marker", "color") in where
    assert 0 < sent["text"] < 36 and sent["color"] > 0
    assert network_figure(session, "energy", "en").data[0].text == tuple(now["label"])


@pytest.mark.slow
def test_the_model_side_imports_no_web_stack():
    code = (
        "import sys, sim.present.cli, sim.present.view; "
        "import sim.present.app.session, sim.present.app.display, sim.present.app.inputs; "
        "import sim.model.model, sim.present.animate; "
        "sys.exit(','.join(m for m in sys.modules if m.split('.')[0] in ('dash', 'flask')) or 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- the command line ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _keep_sigterm():
    """`main` takes SIGTERM (to stop cleanly); in-process, give pytest its handler back."""
    import signal

    handler = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, handler)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--port", "0"], "--port: must be a whole number from 1 to 65,535"),
        (["--port", "70000"], "--port: must be a whole number from 1 to 65,535"),
        (["--port", "http"], "--port: must be a whole number"),
        (["--host", "example.org"], "--host: must be an IP address"),
        (["--host", "127.0.0.300"], "--host: must be an IP address"),
        (["--lang", "de"], "--lang: invalid choice: 'de'"),
    ],
)
def test_bad_app_arguments_exit_2_with_one_message(capsys, args, said):
    with pytest.raises(SystemExit) as stop:
        main(["app", *args])
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert said in err
    assert out == "" and "Traceback" not in err
    assert len([line for line in err.splitlines() if "error" in line]) == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_port_in_use_exits_2_with_one_message(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
    _, err = capsys.readouterr()
    assert f"--port {port}: cannot listen there" in err and "Traceback" not in err


def _listening(port: int) -> set[str]:
    """The local addresses with a socket listening on `port` (Linux: /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                found.add(address)
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket table")
def test_the_app_listens_on_loopback_by_default_and_says_where(tmp_path):
    port = _free_port()
    proc = start_samenspel(["app", "--port", str(port), "--lang", "nl"], tmp_path)
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line and "open" in line
        deadline = time.time() + 60
        while time.time() < deadline and not _listening(port):
            time.sleep(0.2)
        assert _listening(port) == {"0100007F"}  # 127.0.0.1, and nothing else
        for host, status in ((f"127.0.0.1:{port}", b" 200 "), ("example.org", b" 403 ")):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
                conn.sendall(f"GET / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
                assert status in conn.recv(100).split(b"\r\n")[0]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_an_uploaded_scenario_is_validated_like_a_file():
    import base64

    from sim.present.app.inputs import uploaded

    def url(data: bytes) -> str:
        return "data:application/octet-stream;base64," + base64.b64encode(data).decode()

    text = (ROOT / "sim" / "data" / "scenarios" / "split-2022.toml").read_bytes()
    assert uploaded(url(text), "split-2022.toml") == load_scenario("split-2022")
    with pytest.raises(ConfigError, match=r"mine\.toml: not valid TOML"):
        uploaded(url(b"name = "), "mine.toml")
    with pytest.raises(ConfigError, match=r"mine\.toml: not a text file in UTF-8"):
        uploaded(url(b"\xff\xfe"), "mine.toml")
    with pytest.raises(ConfigError, match=r"mine\.toml: 1 problem.*\n.*years"):
        uploaded(url(text.replace(b"years = 10", b"years = 0")), "mine.toml")
