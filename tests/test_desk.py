"""The agent desk page in a real browser (headless Chromium): what a person sees for a seeded
profile (traffic light colour, action text in the customer's language, mood, interests, consent),
that it follows a change within a second, and that it shows nothing without a valid key. The
screenshots are kept in test-artifacts/ (MOMENTS_TEST_ARTIFACTS)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import orjson
import pytest
import uvicorn
from PIL import Image

from actions.catalogue import Catalogue
from serving.app import ServeApp
from serving.keys import KeyFile
from serving.store import ProfileStore
from tests.chromium import HeadlessChromium, artifact_path, require_chromium
from tests.test_serve import profile
from tools.bench.procs import free_port

USER = "kundin-0815"
RED_RGB, GREEN_RGB = (208, 49, 45), (27, 135, 63)
JS_LEVEL = "document.getElementById('light').dataset.level"
JS_COLOUR = "getComputedStyle(document.getElementById('light')).backgroundColor"
JS_TEXT = "document.getElementById('{}').innerText"


def red_profile(version: int = 3) -> dict:
    p = profile(USER, version=version, level="red", lang="de", interests=("bohrmaschinen", "garten"),
                moment={"moment": "buy", "confidence": 0.91, "session_id": "s-1", "since": "2026-07-01T09:58:00.000Z",
                        "explanation": "suchte „akku bohrer test“, dann die Produktseite"})
    p["sentiment"] = {"score": -0.62, "label": "negative", "trend": "worsening", "n": 3,
                      "last": {"event_id": "c-3", "score": -0.8, "label": "negative", "ts": "2026-07-01T09:57:00.000Z"}}
    p["explanation"] = "Rot (0.80): looked for cancellation (2x); Stimmung negativ, schlechter werdend; will kaufen."
    return p


@pytest.fixture
def desk(tmp_path) -> Iterator[ServeApp]:
    keys = KeyFile(tmp_path / "keys.json")
    app = ServeApp(store=ProfileStore(tmp_path / "store.sqlite"), keys=keys, catalogue=Catalogue.load(),
                   bootstrap=None, topic="profiles")
    app.key = keys.create("desk")
    app.store.apply([(USER, orjson.dumps(red_profile()))], {0: 1})
    app.port = free_port()
    server = uvicorn.Server(uvicorn.Config(app.asgi, host="127.0.0.1", port=app.port, log_level="warning",
                                           access_log=False, timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield app
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser() -> Iterator[HeadlessChromium]:
    with HeadlessChromium(require_chromium(), width=1024, height=900) as b:
        yield b


def centre_pixel(png, b: HeadlessChromium) -> tuple[int, int, int]:
    box = b.eval("(() => { const r = document.getElementById('light').getBoundingClientRect();"
                 " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
    with Image.open(png) as img:
        return img.convert("RGB").getpixel((int(box[0]), int(box[1])))


def test_the_desk_shows_a_red_customer_and_follows_a_change_within_a_second(desk, browser):
    browser.goto(f"http://127.0.0.1:{desk.port}/desk/{USER}?channel=callcenter#key={desk.key}")
    browser.wait_for(f"{JS_LEVEL} === 'red' && {JS_TEXT.format('action-text')}.length > 3", timeout=10)
    assert browser.eval(JS_COLOUR) == "rgb({}, {}, {})".format(*RED_RGB)
    assert browser.eval(JS_TEXT.format("level")) == "Rot: gefährdet"
    action = browser.eval(JS_TEXT.format("action-text"))
    assert action.startswith("Zuerst halten") and "Kein Verkaufsangebot" in action
    assert "retention_script" in browser.eval(JS_TEXT.format("action-reason"))
    assert browser.eval(JS_TEXT.format("mood")).startswith("negativ (-0.62), schlechter werdend")
    assert browser.eval(JS_TEXT.format("moment")).startswith("will kaufen (91 %)")
    assert "akku bohrer test" in browser.eval(JS_TEXT.format("moment-why"))
    assert browser.eval(JS_TEXT.format("interests")).splitlines() == ["bohrmaschinen (100 %)", "garten (100 %)"]
    assert browser.eval(JS_TEXT.format("consent")) == "Personalisierung: ja · Analyse: ja"
    assert "#key" not in browser.eval("location.href")  # the key left the address bar
    shot = browser.screenshot(artifact_path("desk-red.png"))
    assert centre_pixel(shot, browser) == RED_RGB

    # the profile turns green: the page follows by long poll within a second
    green = profile(USER, version=4, level="green", lang="de", interests=("bohrmaschinen",))
    desk.store.apply([(USER, orjson.dumps(green))], {0: 2})
    desk.changed_from_another_thread([USER])
    took = browser.wait_for(f"{JS_LEVEL} === 'green'", timeout=5)
    assert took < 1.0, f"the page took {took:.2f} s to follow the change"
    assert browser.eval(JS_TEXT.format("level")) == "Grün: treu"
    browser.wait_for(f"{JS_TEXT.format('action-text')}.startsWith('Inhalte zu bohrmaschinen')", timeout=5)
    shot = browser.screenshot(artifact_path("desk-green.png"))
    assert centre_pixel(shot, browser) == GREEN_RGB

    # the terminal's touch buttons switch the channel
    browser.eval("[...document.querySelectorAll('#channels button')].find(b => b.textContent === 'Terminal').click()")
    browser.wait_for(f"{JS_TEXT.format('action-reason')}.startsWith('show_interest_content')", timeout=5)
    height = browser.eval("document.querySelector('#channels button').getBoundingClientRect().height")
    assert height >= 44  # a finger's size on a touch screen


def test_without_a_valid_key_the_desk_shows_no_customer_data(desk, browser):
    browser.goto(f"http://127.0.0.1:{desk.port}/desk/{USER}#key=mm_not-a-key")
    browser.wait_for("!document.getElementById('login').hidden", timeout=10)
    assert browser.eval(JS_TEXT.format("login-why")) == "Key not accepted."
    body = browser.eval("document.body.innerText")
    assert "bohrmaschinen" not in body and "Rot" not in body and "Zuerst halten" not in body
    browser.screenshot(artifact_path("desk-no-key.png"))
