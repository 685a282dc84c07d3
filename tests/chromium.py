"""Headless Chromium over the Chrome DevTools Protocol, for tests of what a person sees: Debian's
``chromium`` and the ``websockets`` sync client (no Playwright/Selenium: their browser downloads are
unreachable). ``require_chromium()``: no browser is a skip locally, a failure with ``CI=true``."""

from __future__ import annotations

import base64
import collections
import contextlib
import inspect
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Self

import pytest
from websockets.sync.client import connect


class ChromiumError(RuntimeError):
    """The browser did not start, a DevTools command failed, or page JavaScript threw."""


def chromium_path() -> str | None:
    """The browser: env ``CHROMIUM`` (path or name), else chromium, chromium-browser or google-chrome on PATH."""
    env = os.environ.get("CHROMIUM")
    names = [env] if env else ["chromium", "chromium-browser", "google-chrome"]
    return next((path for path in map(shutil.which, names) if path), None)


def require_chromium() -> str:
    """The browser's path; none: in CI a failure (browser tests must run there), locally a skip."""
    path = chromium_path()
    if path is None:
        reason = "no Chromium (Debian package `chromium`; or set CHROMIUM=/path/to/browser)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Chromium is required in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    return path


def artifact_path(name: str) -> Path:
    """A file tests keep (screenshots) in ``$MOMENTS_TEST_ARTIFACTS``, default <project>/test-artifacts/."""
    directory = Path(os.environ.get("MOMENTS_TEST_ARTIFACTS") or Path(__file__).resolve().parents[1] / "test-artifacts")
    directory.mkdir(parents=True, exist_ok=True)
    return directory / name


def devtools_url(port_file: Path, log: Path) -> str | None:
    """"DevTools listening on ws://..." in the browser's stderr, else its DevToolsActivePort file."""
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("DevTools listening on ws://"):
            return line.split(" on ", 1)[1].strip()
    lines = port_file.read_text().split() if port_file.exists() else []
    return f"ws://127.0.0.1:{lines[0]}{lines[1]}" if len(lines) >= 2 else None


class HeadlessChromium:
    """``with HeadlessChromium() as b: b.goto(url); b.eval("document.title")``; viewport width x height."""

    def __init__(self, executable: str | None = None, width: int = 1280, height: int = 800,
                 start_timeout: float = 20.0, command_timeout: float = 10.0) -> None:
        self.executable = executable or chromium_path() or ""
        self.width, self.height = width, height
        self.start_timeout, self.command_timeout = start_timeout, command_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: Path | None = None  # profile and log
        self._ws: Any = None  # the browser's websocket; one page's flat session on it
        self._stack, self._ids, self._session = contextlib.ExitStack(), itertools.count(1), ""
        self._events: collections.deque[dict[str, Any]] = collections.deque(maxlen=1000)

    def __enter__(self) -> Self:
        try:
            self._start()
            return self
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        if not self.executable:
            raise ChromiumError("no Chromium found (set CHROMIUM or install the `chromium` package)")
        self._tmp = Path(tempfile.mkdtemp(prefix="moments-chromium-"))
        profile, log = self._tmp / "profile", self._tmp / "chromium.log"
        args = [self.executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-proxy-server", "--hide-scrollbars", "--remote-debugging-port=0",
                f"--user-data-dir={profile}", f"--window-size={self.width},{self.height}", "about:blank"]
        with log.open("wb") as out:  # a file, not a pipe: nothing to drain, nothing to block Chromium
            self._proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                          start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while not (url := devtools_url(profile / "DevToolsActivePort", log)):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
                raise ChromiumError(f"Chromium gave no DevTools endpoint in {self.start_timeout} s "
                                    f"(exit code {self._proc.poll()}); its log:\n{tail}")
            time.sleep(0.05)
        options: dict[str, Any] = {"max_size": None, "open_timeout": self.start_timeout}
        if "proxy" in inspect.signature(connect).parameters:  # websockets >= 15 follows *_PROXY by default
            options["proxy"] = None
        self._ws = self._stack.enter_context(connect(url, **options))
        targets = self._send("Target.getTargets", session=False)["targetInfos"]
        page = next((t["targetId"] for t in targets if t["type"] == "page"), None) or self._send(
            "Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        attached = self._send("Target.attachToTarget", {"targetId": page, "flatten": True}, session=False)
        self._session = attached["sessionId"]
        self._send("Page.enable")
        self._send("Page.setLifecycleEventsEnabled", {"enabled": True})
        # new headless counts window decorations in --window-size: make the viewport exactly width x height
        self._send("Emulation.setDeviceMetricsOverride",
                   {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})

    def close(self) -> None:
        """Close the connection, end the browser's process group, remove the profile. Idempotent."""
        with contextlib.suppress(Exception):
            self._stack.close()
        self._ws = None
        if self._proc is not None:
            for sig in (signal.SIGTERM, signal.SIGKILL, signal.SIGKILL):  # the last: helpers left over
                with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(self._proc.pid, sig)
                    self._proc.wait(timeout=5)
            self._proc = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def _send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = True,
              timeout: float | None = None) -> dict[str, Any]:
        """One DevTools command's result; events read meanwhile are kept for _wait_event."""
        assert self._ws is not None, "the browser is not running: use HeadlessChromium as a context manager"
        message = {"id": next(self._ids), "method": method, "params": params or {}} | (
            {"sessionId": self._session} if session else {})
        self._ws.send(json.dumps(message))
        deadline = time.monotonic() + (timeout or self.command_timeout)
        while (reply := self._read(deadline, method)).get("id") != message["id"]:
            pass
        if "error" in reply:
            raise ChromiumError(f"{method}: {reply['error'].get('message')} {reply['error'].get('data', '')}")
        return reply.get("result", {})

    def _read(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        try:
            message = json.loads(self._ws.recv(timeout=max(0.0, deadline - time.monotonic())))
        except TimeoutError:
            raise TimeoutError(f"Chromium: no {waiting_for} in time") from None
        if "method" in message:  # an event: kept for goto
            self._events.append(message)
        return message

    def goto(self, url: str, timeout: float = 10) -> None:
        """Navigate and wait for this document's load event (a #fragment-only change has none: no wait)."""
        self._events.clear()
        deadline = time.monotonic() + timeout
        result = self._send("Page.navigate", {"url": url}, timeout=timeout)
        if result.get("errorText"):
            raise ChromiumError(f"navigating to {url}: {result['errorText']}")
        loaded = ("Page.lifecycleEvent", result.get("loaderId"), "load")
        while result.get("loaderId") and loaded not in (
                (e["method"], e["params"].get("loaderId"), e["params"].get("name")) for e in self._events):
            self._read(deadline, f"load event of {url}")

    def eval(self, js: str) -> Any:
        """The expression's value (JSON-like; promises awaited); ChromiumError with the text if it throws."""
        result = self._send("Runtime.evaluate", {"expression": js, "returnByValue": True, "awaitPromise": True})
        if details := result.get("exceptionDetails"):
            text = details.get("exception", {}).get("description") or details.get("text")
            raise ChromiumError(f"JavaScript error in {js!r}: {text}")
        return result["result"].get("value")

    def wait_for(self, js_predicate: str, timeout: float = 5.0) -> float:
        """Evaluate the expression every 50 ms until it is truthy; the seconds that took. A JavaScript
        error counts as false. TimeoutError with the last value (or error) after timeout seconds."""
        start = time.monotonic()
        while True:
            try:
                if last := self.eval(js_predicate):
                    return time.monotonic() - start
            except ChromiumError as exc:
                last = exc  # e.g. the element is not there yet
            if time.monotonic() - start >= timeout:
                raise TimeoutError(f"{js_predicate!r} not true within {timeout} s; last value: {last!r}")
            time.sleep(0.05)

    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        """A PNG of the viewport written to path (its directory created); the path."""
        data = self._send("Page.captureScreenshot", {"format": "png"})["data"]
        (out := Path(path)).parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(data))
        return out
