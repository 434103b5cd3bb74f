"""Data embedded in a generated page: JSON inside a `<script>` element, safely.

Inside a script element the HTML parser does not read JSON: it ends the element at the first
`</script`, and after a `<!--` followed by `<script` it even skips that end tag (the "double
escaped" state), so that a label `<!--<script>` swallows the rest of the page into the data.
:func:`script_json` writes every `<`, `>` and `&` as a JSON escape (`\\u003c`, ...), which JSON
reads back as the same character; with U+2028 and U+2029 escaped too (a line end to some JavaScript
parsers), no string in the data can change how the page is read. Every page that carries data (the
animation, sim/present/animate.py) embeds it through here; plotly's figures
(sim/present/report.py, sim/present/sensitivity_page.py) escape the same characters themselves,
and text in a page's body goes through `html.escape`.
"""

from __future__ import annotations

import json

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
