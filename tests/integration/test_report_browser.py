"""The HTML report in a real headless browser (Debian chromium).

Why a browser: "self-contained" and "renders" are claims about what a browser does with the
page, so they are checked there: a screenshot that is not blank, a rendered DOM with the tables
and plots, and a served page whose only request is the page itself.
"""
from __future__ import annotations

import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from rightsized.eval.report import write_report

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
TIERS = ["small", "mid", "large"]
DOMAINS = {"kyc": "field_accuracy", "claims": "label_accuracy"}
# Text a careless report would turn into markup, and the image into a request to another host.
SCORES = {"small": [1.0, 0.5, 0.0, 1.0, 1.0, 0.5, 1.0, 0.0], "mid": [1.0, 1.0, 0.5, 1.0, 1.0, 1.0, 0.5, 1.0]}
HOSTILE = '<script>alert(1)</script><img src="https://evil.example/x.png">'
_URL_ATTRS = {"src", "href", "xlink:href", "srcset", "action", "formaction", "poster", "background", "data"}
_FETCHING_TAGS = {"script", "img", "iframe", "link", "object", "embed", "video", "audio", "source"}


def _case(domain: str, tier: str, i: int) -> dict[str, Any]:
    score = SCORES[tier][i]
    return {
        "domain": domain, "tier": tier, "case_id": f"{domain}-{i}", "suite": "synthetic" if i < 5 else "real",
        "tags": ["typed" if i % 2 else "scanned"], "input": {"document": HOSTILE if i == 2 else f"document {i}"}, "expected": {"label": "ok"},
        "outcome": {"label": "ok" if score else "flag"}, "scores": {DOMAINS[domain]: score},
        "latency_s": (0.05 if tier == "small" else 0.8) * (1 + i / 10), "prompt_tokens": 300 + i,
        "completion_tokens": 40, "cost_usd": 0.0 if tier == "small" else 0.00042 + i * 1e-5,
        "warnings": [HOSTILE] if i == 2 else [], "error": None,
    }


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed: apt-get install chromium")
    run_dir = tmp_path_factory.mktemp("run")
    meta = {"run_id": "browser-check", "created": "2024-06-01T12:00:00", "suite": "all", "domains": list(DOMAINS),
            "tiers": TIERS, "unavailable": {"large": "RIGHTSIZED_LARGE_URL is not set"}, "primary_metric": DOMAINS,
            "versions": {"python": "3.11"}, "config_hash": "abc", "corpus_hashes": {},
            "report_by": {"kyc": ["typed", "scanned"]}}  # kyc rows split per input variant
    (run_dir / "run.json").write_text(json.dumps(meta))
    cases = [_case(d, t, i) for d in DOMAINS for t in ("small", "mid") for i in range(8)]
    (run_dir / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases))
    return write_report(run_dir)[1]


def chromium(profile: Path, *args: str) -> str:
    """Run headless chromium once with a throwaway profile and no background traffic; stdout."""
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout


class _References(HTMLParser):
    """Every URL-bearing attribute and every element type that would make a browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.fetching_tags: list[str] = []
        self.css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _FETCHING_TAGS and not (tag == "link" and dict(attrs).get("href", "").startswith("data:")):
            self.fetching_tags.append(tag)
        self.urls += [value or "" for name, value in attrs if name in _URL_ATTRS]
        self.css += [value or "" for name, value in attrs if name == "style"]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css.append(data)


def assert_references_nothing_outside(dom: str) -> None:
    refs = _References()
    refs.feed(dom)
    assert refs.fetching_tags == []  # the hostile <script>/<img> stayed text
    assert [u for u in refs.urls if not u.startswith(("#", "data:"))] == []
    assert not any("url(" in css or "@import" in css for css in refs.css)


def test_screenshot_is_a_rendered_page_not_a_blank(report_html: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    chromium(tmp_path / "profile", f"--screenshot={png}", "--window-size=1280,2000", report_html.as_uri())
    assert png.exists() and png.stat().st_size > 10_000
    with Image.open(png) as image:
        assert image.size == (1280, 2000)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    assert len(colours) > 2


def test_rendered_dom_has_tables_plots_and_only_escaped_user_text(report_html: Path, tmp_path: Path) -> None:
    dom = chromium(tmp_path / "profile", "--dump-dom", report_html.as_uri())
    assert dom.count("<svg") == 2 * 2 * 2  # cost + latency per domain x suite
    assert dom.count("<table") >= 1 + 2 * 2 * 2  # run facts + quality and cost tables per section
    for primary in DOMAINS.values():
        assert f"{primary} (primary, higher is better)" in dom
    assert dom.count('class="answer"') == 2 * 2  # each domain opens with the answer, per suite
    for tier in TIERS:
        assert f">{tier}<" in dom
    for variant in ("small · typed", "small · scanned", "mid · typed", "mid · scanned"):
        assert dom.count(f">{variant}<") == 2 * 2  # quality and cost table, per suite of kyc only
    assert "RIGHTSIZED_LARGE_URL is not set" in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert_references_nothing_outside(dom)


@pytest.fixture
def served(report_html: Path) -> Iterator[tuple[str, list[str]]]:
    """The report's folder on a 127.0.0.1 HTTP server that logs every request it answers."""
    log: list[str] = []

    class LoggingHandler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(report_html.parent), **kwargs)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            log.append(f"{self.command} {self.path} {code}")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            """Quiet: the test reads `log`, not stderr."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), LoggingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{report_html.name}", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_served_page_requests_nothing_but_itself(served: tuple[str, list[str]], tmp_path: Path) -> None:
    url, log = served
    dom = chromium(tmp_path / "profile", "--dump-dom", url)
    assert dom.count("<svg") == 8  # the page really loaded and rendered
    assert log == ["GET /report.html 200"]  # no favicon, no stylesheet, no script, no image
    assert_references_nothing_outside(dom)  # and nothing on another host is even referenced
