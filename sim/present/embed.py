"""Data embedded in a generated page: JSON inside a `<script>` element, safely.

Inside a script element the HTML parser does not read JSON: it ends the element at the first
`</script`, and after a `<!--` followed by `<script` it even skips that end tag (the "double
escaped" state), so that a label `<!--<script>` swallows the rest of the page into the data.
:func:`script_json` writes every `<`, `>` and `&` as a JSON escape (`\\u003c`, ...), which JSON
reads back as the same character; with U+2028 and U+2029 escaped too (a line end to some JavaScript
parsers), no string in the data can change how the page is read. Every page that carries data (the
animation, sim/present/animate.py; the comparison report's figures, :func:`plotly_figures`) embeds
it through here; plotly's own `to_html` (sim/present/sensitivity_page.py and others) escapes the
same characters itself, and text in a page's body goes through `html.escape`.

:func:`plotly_js` and :func:`plotly_figures` keep a page with plotly figures light: plotly.js
inline once, every figure's data once, in plotly's binary form for numpy arrays, the layout
template the figures share written once.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Sequence

_ESCAPES = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def script_json(data: object) -> str:
    """`data` as compact JSON that can stand inside a `<script type="application/json">`
    element: `JSON.parse` of the element's text gives `data` back, whatever its strings hold."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_ESCAPES)  # these characters occur only inside JSON strings


# --- plotly figures in a page ---------------------------------------------------------------

PLOTS_SCRIPT = """(function () {
  const spec = JSON.parse(document.getElementById("plotly-figures").textContent);
  for (const f of spec.figures) {
    if (!f.layout.template && spec.template) f.layout.template = spec.template;
    Plotly.newPlot(f.id, f.data, f.layout, spec.config);
  }
})();"""


@functools.cache
def plotly_js() -> str:
    """plotly.js (the version plotly.py bundles) as one inline `<script>`: once per page."""
    from plotly.offline import get_plotlyjs

    return f'<script type="text/javascript">{get_plotlyjs()}</script>'


def plotly_figures(
    figures: Sequence[object], ids: Sequence[str], config: dict
) -> tuple[list[str], str]:
    """The figures as empty `<div>`s (one per id, for the page's body) and one `<script>` block
    that draws them all (after :func:`plotly_js`, at the end of the body). The data go in once,
    as JSON through :func:`script_json`: numpy arrays in plotly's binary form (base64), and the
    layout template that figures share written once instead of once per figure."""
    specs = [json.loads(f.to_json()) for f in figures]  # type: ignore[attr-defined]
    template = specs[0]["layout"].get("template") if specs else None
    for spec, i in zip(specs, ids, strict=True):
        spec["id"] = i
        if template is not None and spec["layout"].get("template") == template:
            del spec["layout"]["template"]
    data = {"figures": specs, "template": template, "config": config}
    divs = [f'<div id="{html.escape(i)}" class="plotly-graph-div"></div>' for i in ids]
    script = (
        f'<script type="application/json" id="plotly-figures">{script_json(data)}</script>'
        f"<script>{PLOTS_SCRIPT}</script>"
    )
    return divs, script
