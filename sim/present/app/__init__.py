"""`samenspel app`: the interactive workshop app, a local Dash page that works offline.

The package is the only place that imports the web stack (dash, flask), and only in the modules
that need it: `session`, `display` and `inputs` have no web code (so the model side is tested
without a browser), and this file imports nothing (importing `sim.present.app.session` loads no
dash). `samenspel app` runs `server.serve`.

- `session`: the controls (from the scenario schema), scenarios built from them, a tab's
  `Session` (a `Viewer` stepped a month at a time, the baseline run once per scenario and seed),
  the `SessionStore`.
- `display`: what the page shows of a month (the network view's parts, the month's words).
- `inputs`: what the app accepts from a page, which it assumes may be hostile (the Host header,
  the scenario files it reads, each callback request held against its callback).
- `layout` (the page's components), `controls` (a control's component), `figures` (the charts
  and the network view, whole or as patches), `updates` (what a callback sends back).
- `callbacks` (each callback, registered on the app), `actions` (what the run callback does).
- `server`: `create_app`, its fences (`guard`), `serve`.

Dash serves its JavaScript and CSS from the installed package (`serve_locally=True`); the page
loads no stylesheet, font or script from anywhere else, so it runs in a town hall without
internet. The network view is a plotly figure (the municipalities a scatter trace, trust one line
shape per direction): dash-cytoscape's bundle logs a cytoscape.js warning on every page (it always
passes `wheelSensitivity`). Every word comes from the language catalogue (sim/present/i18n.py,
`[app]` and the animation's `[animate]`); switching the language re-labels the page without
touching the run.
"""
