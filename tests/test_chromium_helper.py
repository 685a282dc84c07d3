"""tests/chromium.py against a tiny local page: a light that turns from red to green 300 ms after start()
(called by the test, not on load: on a loaded machine a timer started at load may fire before the test looks)."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.chromium import ChromiumError, HeadlessChromium, artifact_path, chromium_path, devtools_url, require_chromium

RED, GREEN = (200, 0, 0), (0, 160, 0)
PAGE = """<!doctype html>
<html><head><title>light</title><style>
  body { margin: 0; background: #fff; }
  #light { position: absolute; left: 100px; top: 80px; width: 120px; height: 120px;
           background: rgb(200, 0, 0); color: #fff; font: 20px sans-serif; }
</style></head>
<body><div id="light">waiting</div>
<script>
  function start() {
    window.startedAt = performance.now();
    setTimeout(() => {
      const light = document.getElementById("light");
      light.textContent = "ready";
      light.style.backgroundColor = "rgb(0, 160, 0)";
      window.changedAt = performance.now();
    }, 300);
  }
</script></body></html>
"""
BACKGROUND = "getComputedStyle(document.getElementById('light')).backgroundColor"
TEXT = "document.getElementById('light').textContent"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def living_in_group(pgid: int) -> list[int]:
    """Processes of the group that are not zombies (reparented helpers may await reaping by PID 1)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            alive.append(int(stat.parent.name))
    return alive


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a local HTTP server serving light.html."""
    root = tmp_path_factory.mktemp("site")
    (root / "light.html").write_text(PAGE)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[HeadlessChromium]:
    with HeadlessChromium(require_chromium(), width=800, height=600) as chromium:
        yield chromium


def test_page_changes_colour_and_text_within_a_second(browser: HeadlessChromium, site: str) -> None:
    browser.goto(f"{site}/light.html")
    assert browser.eval("document.title") == "light"
    assert browser.eval(BACKGROUND) == "rgb(200, 0, 0)"
    assert browser.eval(TEXT) == "waiting"
    browser.eval("start()")
    elapsed = browser.wait_for(f"{BACKGROUND} === 'rgb(0, 160, 0)'", timeout=3)
    assert elapsed < 1.0, elapsed
    assert browser.eval(TEXT) == "ready"
    assert browser.eval("changedAt - startedAt") >= 299  # wait_for waited for the change, did not see it early


def test_screenshot_shows_the_light(browser: HeadlessChromium, site: str) -> None:
    browser.goto(f"{site}/light.html")
    x, y, scale = browser.eval("(() => { const r = document.getElementById('light').getBoundingClientRect();"
                               " return [r.left + r.width / 2, r.top + r.height / 2, devicePixelRatio]; })()")
    centre = (round(x * scale), round(y * scale))
    for colour, name in ((RED, "chromium-helper-red.png"), (GREEN, "chromium-helper-green.png")):
        if colour == GREEN:
            browser.eval("start()")
            browser.wait_for(f"{TEXT} === 'ready'", timeout=3)
        path = browser.screenshot(artifact_path(name))
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == (round(800 * scale), round(600 * scale))
            pixels = image.convert("RGB")
            assert pixels.getpixel(centre) == colour, name
            assert pixels.getpixel((5, 5)) == (255, 255, 255)


def test_eval_awaits_promises_and_reports_errors(browser: HeadlessChromium) -> None:
    browser.goto("about:blank")
    assert browser.eval("new Promise(resolve => setTimeout(() => resolve({a: [1, 2]}), 20))") == {"a": [1, 2]}
    assert browser.eval("undefined") is None
    with pytest.raises(ChromiumError, match="boom"):
        browser.eval("(() => { throw new Error('boom'); })()")
    with pytest.raises(ChromiumError, match="ReferenceError"):
        browser.eval("noSuchName + 1")


def test_wait_for_times_out_with_the_last_value(browser: HeadlessChromium) -> None:
    browser.goto("about:blank")
    with pytest.raises(TimeoutError, match="last value: False"):
        browser.wait_for("41 > 42", timeout=0.2)
    with pytest.raises(TimeoutError, match="ReferenceError"):
        browser.wait_for("missing.thing", timeout=0.2)


def test_goto_an_unreachable_page_is_an_error(browser: HeadlessChromium, site: str) -> None:
    with pytest.raises(ChromiumError, match="ERR_"):
        browser.goto("http://127.0.0.1:9/nothing")
    browser.goto(f"{site}/light.html")  # still usable afterwards; the error page's late load event is not this one's
    assert browser.eval(TEXT) == "waiting"


def test_close_ends_the_browser_and_removes_its_profile() -> None:
    with HeadlessChromium(require_chromium()) as chromium:
        proc, tmp = chromium._proc, chromium._tmp
        assert chromium.eval("1 + 1") == 2
    assert proc is not None and proc.poll() is not None
    assert tmp is not None and not tmp.exists()
    assert not living_in_group(proc.pid)  # nothing of its process group is left (zombies aside)


def test_no_chromium_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM", "/nonexistent/chromium")
    assert chromium_path() is None
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required in CI"):
        require_chromium()


def test_artifact_path_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MOMENTS_TEST_ARTIFACTS", str(tmp_path / "shots"))
    assert artifact_path("a.png") == tmp_path / "shots" / "a.png"
    assert (tmp_path / "shots").is_dir()


def test_devtools_endpoint_from_stderr_or_the_port_file(tmp_path: Path) -> None:
    log, port_file = tmp_path / "chromium.log", tmp_path / "DevToolsActivePort"
    log.write_text("[1:2:ERROR:dbus/bus.cc] Failed to connect to the bus\n")
    assert devtools_url(port_file, log) is None
    port_file.write_text("40123\n/devtools/browser/abc\n")
    assert devtools_url(port_file, log) == "ws://127.0.0.1:40123/devtools/browser/abc"
    log.write_text("\nDevTools listening on ws://127.0.0.1:40999/devtools/browser/xyz\n")
    assert devtools_url(port_file, log) == "ws://127.0.0.1:40999/devtools/browser/xyz"
