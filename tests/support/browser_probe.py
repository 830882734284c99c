"""Ask real headless Chromium about a rendered page: text sizes, overflow, and axe-core's findings.

A copy of the page gets a script appended that runs after layout and writes its answer as JSON
into a <pre id="plextray-probe">; `chromium --dump-dom` prints the DOM once the page (and, with a
virtual time budget, its promises) settled. The report itself never contains a script.

Headless Chromium lays a window out at least 500 px wide whatever --window-size says, so a
phone width is a same-origin <iframe srcdoc> of exactly that width: the page inside sees a
390 px viewport (its media queries, window.innerWidth) as on a phone.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

MEASURE = r"""
(function () {
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  var out = {min: 1e9, where: '', scroll: document.documentElement.scrollWidth, width: window.innerWidth, count: 0,
             small: []};
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  var node;
  while ((node = walker.nextNode())) {
    var text = node.textContent.trim();
    var el = node.parentElement;
    if (!text || !el || el.closest('title, style, script, pre#plextray-probe')) continue;
    var style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    var box = el.getBoundingClientRect();
    if (!el.getClientRects().length || box.width <= 1 || box.height <= 1) continue;  // hidden or visually hidden
    var size = parseFloat(style.fontSize);
    out.count++;
    if (size < 10) out.small.push(el.tagName + ' ' + size + 'px: ' + text.slice(0, 40));
    if (size < out.min) { out.min = size; out.where = el.tagName + ': ' + text.slice(0, 40); }
  }
  return out;
})()
"""

AXE_RUN = r"""
axe.run(document, {resultTypes: ['violations']}).then(function (r) {
  return r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) { return n.html.slice(0, 160); })};
  });
})
"""


def axe_source() -> Path | None:
    """axe.min.js from npm (tests/run.sh installs it; PLEXTRAY_AXE_JS says where)."""
    candidates = [os.environ.get("PLEXTRAY_AXE_JS", ""),
                  str(Path.home() / ".cache/plextray-tests/axe/node_modules/axe-core/axe.min.js")]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def _run(binary: str, page: Path, width: int, height: int = 2000) -> str:
    with tempfile.TemporaryDirectory(prefix="plextray-probe-") as profile:
        done = subprocess.run(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={profile}", f"--window-size={width},{height}", "--virtual-time-budget=20000",
             "--dump-dom", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=120,
        )
    if done.returncode != 0:
        raise AssertionError(f"chromium failed ({done.returncode}): {done.stderr[-800:]}")
    return done.stdout


MIN_WINDOW = 500


def at_width(html: str, width: int, height: int = 6000) -> str:
    """The page as a `width`-px viewport sees it: itself, or inside an iframe that wide."""
    if width >= MIN_WINDOW:
        return html
    from html import escape

    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>phone</title></head>'
        '<body style="margin:0;background:#fff">'
        f'<iframe title="report" style="border:0;display:block;width:{width}px;height:{height}px" '
        f'srcdoc="{escape(html, quote=True)}"></iframe></body></html>'
    )


def screenshot(binary: str, html: str, width: int, height: int, png: Path) -> Path:
    """A PNG of the page laid out `width` px wide (a phone: 390)."""
    from plextray.reports.browser import chromium_screenshot

    page = png.with_suffix(".page.html")
    page.write_text(at_width(html, width, height), encoding="utf-8")
    return chromium_screenshot(page, png, size=(width, height), binary=binary)


def _probe(binary: str, html: str, script: str, width: int, folder: Path, *, prelude: str = "") -> object:
    page = folder / f"probe-{width}-{abs(hash(script)) % 10**8}.html"
    writer = (
        "<script>" + prelude + "</script><script>Promise.resolve(" + script + ").then(function (v) {"
        "var doc = window.parent.document; var pre = doc.createElement('pre'); pre.id = 'plextray-probe';"
        "pre.textContent = JSON.stringify(v); doc.body.appendChild(pre); });</script>"
    )
    page.write_text(at_width(html.replace("</body>", writer + "</body>"), width), encoding="utf-8")
    dom = _run(binary, page, max(width, MIN_WINDOW))
    match = re.search(r'<pre id="plextray-probe">(.*?)</pre>', dom, re.S)
    if not match:
        raise AssertionError(f"the probe wrote nothing at {width} px:\n{dom[-1500:]}")
    from html import unescape

    return json.loads(unescape(match.group(1)))


def measure(binary: str, html: str, width: int, folder: Path) -> dict:
    """Smallest visible font size (CSS px), where it is, and the page's scroll width, at `width`."""
    return _probe(binary, html, MEASURE, width, folder)  # type: ignore[return-value]


def axe(binary: str, html: str, width: int, folder: Path, source: Path) -> list[dict]:
    """axe-core's violations for the page as Chromium lays it out at `width`."""
    prelude = source.read_text(encoding="utf-8").replace("</script", "<\\/script")
    return _probe(binary, html, AXE_RUN, width, folder, prelude=prelude)  # type: ignore[return-value]
