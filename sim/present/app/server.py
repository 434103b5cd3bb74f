"""The workshop app's server: `create_app` (the Dash app with its page and callbacks), its
fences (`guard`) and `serve` (what `samenspel app` runs).

The app assumes that a page may be hostile (sim/present/app/inputs.py): a request whose Host
header is not the app's address gets 403 (DNS rebinding); every callback request is checked
against its callback before Dash runs it, and a refusal or a failure is a message in the page,
never an HTTP 500 or a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dash import Dash
from dash.exceptions import PreventUpdate
from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from sim.model.config import list_scenarios
from sim.present import i18n
from sim.present.animate import STATES
from sim.present.app.callbacks import register
from sim.present.app.inputs import (
    BODY_LIMIT,
    SEED_MAX,
    Check,
    Refused,
    body_size,
    check_request,
    host_allowed,
    request_language,
    signature,
)
from sim.present.app.layout import SPEEDS, layout
from sim.present.app.session import SessionStore
from sim.present.app.style import STYLE

log = logging.getLogger("sim.present.app")

BUTTONS = ("b-step", "b-play", "b-pause", "b-reset", "b-apply", "b-rerun", "b-discard", "b-load")


def create_app(
    lang: str = "en",
    store: SessionStore | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8050,
    root: Path | None = None,
    present: bool = False,
) -> Dash:
    """The Dash app, to be served at `host`:`port` (a request naming another address gets
    403); `store` holds its sessions (a new one by default); scenario files are read from the
    presets and below `root` (default: the working directory); `present`: pages open in
    presentation mode (large type, a larger map; a toggle in the page, or `?present=1`)."""
    i18n.check_language(lang)
    app = Dash(
        "sim.present.app",
        serve_locally=True,
        title="samenspel",
        update_title=None,  # type: ignore[arg-type]  # None: the title stays (Dash's docs)
        external_stylesheets=[],
        external_scripts=[],
        include_assets_files=False,
    )
    app.index_string = app.index_string.replace("{%css%}", "{%css%}<style>" + STYLE + "</style>")
    app.layout = lambda: layout(lang, present)
    sessions = store if store is not None else SessionStore()
    register(app, sessions, Path.cwd() if root is None else root)
    guard(app, lang, host, port, page_values())
    return app


def page_values() -> dict[tuple[str, str], Check]:
    """What the page's components can send, by component id and property (the controls'
    patterns are checked by sim.present.app.inputs.control_fits)."""
    presets = tuple(list_scenarios())

    def one_of(choices: tuple) -> Check:
        return lambda v: type(v) in (str, int, float) and v in choices

    def count(v: Any) -> bool:
        return v is None or (type(v) is int and 0 <= v < 2**53)

    def text(most: int | None = None) -> Check:
        return lambda v: v is None or (type(v) is str and (most is None or len(v) <= most))

    return {
        ("lang", "value"): one_of(i18n.LANGUAGES),
        ("colour", "value"): one_of(STATES),
        ("speed", "value"): one_of(SPEEDS),
        ("preset", "value"): lambda v: v is None or one_of(presets)(v),
        ("present", "value"): lambda v: v is None or (type(v) is list and v in ([], ["on"])),
        ("url", "search"): text(2000),
        ("seed", "value"): lambda v: v is None or (type(v) is int and 0 <= v <= SEED_MAX),
        ("sid", "data"): lambda v: type(v) is str and len(v) == 32 and v.isalnum() and v.isascii(),
        ("version", "data"): count,
        ("shown", "data"): count,
        ("clock", "n_intervals"): count,
        ("path", "n_submit"): count,
        ("path", "value"): text(),
        ("upload", "contents"): text(),
        ("upload", "filename"): text(),
        ("theme", "value"): text(100),
        **{(b, "n_clicks"): count for b in BUTTONS},
    }


def guard(
    app: Dash, lang: str, host: str, port: int, values: Mapping[tuple[str, str], Check]
) -> None:
    """The server's fences: 403 for a request whose Host header is not the app's address
    (`host`:`port`); a callback request checked against its callback (sim.present.app.inputs.
    check_request, `values`) before Dash runs it; a refusal, or a failure in a callback,
    answered in the page (HTTP 200, a message in the page's language where the request says
    it), with one line in the log and no traceback."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = BODY_LIMIT  # a body of no stated length, too

    def check_host() -> Response | None:
        if host_allowed(request.headers.get("Host"), host, port):
            return None
        return Response(i18n.text("app.wrong_host", lang), 403, mimetype="text/plain")

    server.before_request_funcs.setdefault(None, []).insert(0, check_host)
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"
    dispatch: Callable[[], Any] = server.view_functions[endpoint]
    signatures = {key: signature(key, cb) for key, cb in app.callback_map.items()}

    def guarded() -> Any:
        if (too_large := body_size(request.content_length)) is not None:
            return _answer(too_large, lang)
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # nested deeper than a parser follows: no request the page sends
            body = None
        said_in = request_language(body, lang)
        if (refused := check_request(body, signatures, values)) is not None:
            log.info("refused a callback request: %s", refused)
            return _answer(refused, said_in)
        try:
            return dispatch()
        except (PreventUpdate, HTTPException):
            raise
        except Exception as exc:  # the last fence: the page is told, the log has one line
            log.error("callback failed: %s: %s", type(exc).__name__, exc)
            return _answer(Refused("failed"), said_in)

    server.view_functions[endpoint] = guarded


def _answer(refused: Refused, said_in: str) -> Response:
    """The words in the load message, whatever the callback's outputs (no output changes)."""
    said = {"load-message": {"children": refused.words(said_in)}}
    return jsonify({"multi": True, "response": {}, "sideUpdate": said})


def serve(
    host: str = "127.0.0.1", port: int = 8050, lang: str = "en", present: bool = False
) -> None:
    """Start the app and print its address; runs until Ctrl-C."""
    app = create_app(lang, host=host, port=port, present=present)
    where = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
    print(i18n.text("app.listening", lang, url=f"http://{where}:{port}/"), flush=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per click
    app.run(host=host, port=port, debug=False)
