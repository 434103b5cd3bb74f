"""The what-if page, written by the command line and opened offline in a real chromium.

``SAMENSPEL_SCREENSHOTS=1`` (``make screenshots``) refreshes docs/img/whatif.png.
"""

from __future__ import annotations

from tests.conftest import samenspel


def test_whatif_page_renders_offline_without_console_problems(tmp_path, page, screenshot):
    out = tmp_path / "wi"
    args = ["whatif", "dordrecht-service", "--replicates", "4", "--years", "3"]
    r = samenspel([*args, "--out", str(out), "--no-progress", "--workers", "1"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    page.goto((out / "whatif.html").as_uri(), wait_until="load")
    assert page.locator("h1").inner_text() == "What if dordrecht-service instead of split-2022?"
    assert page.locator("table").count() == 2 + 7  # outcomes, intermediates, 7 municipalities
    assert page.locator("td.better").count() + page.locator("td.worse").count() > 0
    assert "▲" in page.locator("body").inner_text()
    screenshot("whatif")
