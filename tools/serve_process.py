"""A ``micromoments serve`` process for tests and the bench: started with its own settings,
waited for until ready, asked over HTTP, stopped; its log kept in a file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tools.bench.procs import free_port

ROOT = Path(__file__).resolve().parents[1]


class ServeProcess:
    """``env``: MOMENTS_* settings (bootstrap, topic prefix, keys file); ``store``: its SQLite file."""

    def __init__(self, env: dict[str, str], store: Path, log: Path, port: int | None = None) -> None:
        self.env = {**os.environ, **env}
        self.store, self.log = store, log
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> ServeProcess:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "micromoments", "serve", "--port", str(self.port), "--store", str(self.store)],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def get(self, path: str, key: str | None = None, timeout: float = 5.0) -> tuple[int, dict | str]:
        """(status, JSON body or text); status 0 when nothing answers."""
        req = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {key}"} if key else {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as err:
            status, body = err.code, err.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, ""
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body.decode("utf-8", "replace")

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Seconds from now until /health says ready; raises with the log's tail if it never does."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode}:\n{self.tail()}")
            status, _ = self.get("/health", timeout=1.0)
            if status == 200:
                return time.monotonic() - t0
            time.sleep(0.05)
        raise TimeoutError(f"serve not ready after {timeout:.0f} s:\n{self.tail()}")

    def tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
