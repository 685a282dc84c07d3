"""`make run` (deploy/run-local.sh): starts broker, worker, sink and simulator, shows moments, stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.worker_helpers import free_port

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.kafka]


def test_run_local_shows_moments_and_stops_everything(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOMENTS_")}
    env.update(MOMENTS_DATA_DIR=str(tmp_path / "data"), MOMENTS_BROKER_PORT="0", MOMENTS_WEB_PORT=str(free_port()),
               MOMENTS_SINK_PORT=str(free_port()), MOMENTS_PARTITIONS="1", RATE="400",
               PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}")
    # Ctrl-C is SIGINT at its default: a shell or CI that started these tests in the background
    # passes SIGINT on as ignored, and then no trap in the script (bash) or KeyboardInterrupt
    # (Python) could ever see it
    proc = subprocess.Popen(["bash", "deploy/run-local.sh"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and len([s for s in seen if "user=" in s]) < 5:
            assert proc.poll() is None, "".join(seen)
            time.sleep(0.2)
        moments = [s for s in seen if "user=" in s]
        assert len(moments) >= 5, "".join(seen[-30:])
        assert "[know " in moments[-1]  # running counts per class
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    status = subprocess.run([sys.executable, "-m", "micromoments", "broker", "status"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert "not running" in status.stdout + status.stderr
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout.split()
    assert leftovers == [], leftovers
