"""Processes the benchmark runs: ``micromoments worker`` and ``micromoments sink`` subprocesses.

Each gets an isolated deployment on the broker (its own topic prefix, app id / consumer group,
data dir and free web port); the benchmark reads their ``/stats`` pages and, for the worker,
its resident memory from ``/proc/<pid>/status``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_kb(status_text: str, field: str = "VmRSS") -> int | None:
    """A ``Vm*`` line of ``/proc/<pid>/status`` in kB (``VmRSS:  123456 kB`` -> 123456)."""
    for line in status_text.splitlines():
        name, _, rest = line.partition(":")
        if name == field:
            parts = rest.split()
            if parts and parts[0].isdigit():
                return int(parts[0]) * (1024 if parts[1:2] == ["MB"] else 1)
    return None


def rss_mb(pid: int | str | None) -> float | None:
    """Resident memory of process ``pid`` (or ``"self"``) in MiB, None when it is gone."""
    try:
        kb = vm_kb(Path(f"/proc/{pid}/status").read_text())
    except (OSError, TypeError):
        return None
    return round(kb / 1024.0, 1) if kb else None


def cpu_seconds(stat_text: str, ticks_per_s: float | None = None) -> float:
    """User + system CPU time of a process from its ``/proc/<pid>/stat`` line, in seconds."""
    fields = stat_text.rpartition(")")[2].split()  # after the command name, which may hold spaces
    ticks = ticks_per_s or os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime: fields 14 and 15 of stat


def accounted(stats: dict) -> int:
    """Inputs the worker has finished: processed + duplicates + DLQ + venue records."""
    return sum(stats.get(k, 0) for k in ("processed", "duplicate", "dlq", "venues"))


class ProcessDied(RuntimeError):
    """A process the benchmark started exited while it was needed."""


#: log lines that say why a process stopped (the first of them in the log is the reason)
_REASON_MARKS = ("[CRITICAL]", "Crashed reason=", "Traceback", "Error:")


def stop_reason(log_text: str) -> str:
    r"""The line of a worker's or sink's log that says why it stopped, else its last line.

    >>> stop_reason("[INFO] ok\n[CRITICAL] results were not delivered: x\n[ERROR] Crashed reason=X")
    '[CRITICAL] results were not delivered: x'
    >>> stop_reason("started\nKilled")
    'Killed'
    """
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    for line in lines:
        if any(mark in line for mark in _REASON_MARKS):
            return line
    return lines[-1] if lines else "(empty log)"


def keep_logs_in(folder: Path | None) -> None:
    """Copy the log of any process that dies (or hangs) into ``folder`` before its temporary
    deployment is deleted."""
    _Proc.keep_logs = folder


def _clean_env(**moments: str) -> dict[str, str]:
    """The environment without the caller's ``MOMENTS_*``, plus ``moments`` given by setting name
    (``model_sync="local"`` -> ``MOMENTS_MODEL_SYNC``)."""
    named = [k for k in moments if k.upper().startswith("MOMENTS_")]
    if named:  # would become MOMENTS_MOMENTS_..., a variable nothing reads
        raise ValueError(f"settings by name, without the MOMENTS_ prefix: {named}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOMENTS_")}
    env.update({f"MOMENTS_{k.upper()}": v for k, v in moments.items()})
    return env


class _Proc:
    """A ``micromoments`` sub-command in a subprocess, output to a log file in ``data_dir``."""

    command: str = ""
    #: where the log of a process that died (or hung) is copied: the benchmark's temporary
    #: folders are deleted with their deployment (``micromoments bench`` sets it next to its results)
    keep_logs: Path | None = None

    def __init__(self, bootstrap: str, prefix: str, partitions: int, data_dir: Path, app_id: str,
                 name: str, extra_env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.log_path = data_dir / f"{name}.log"
        self.env = _clean_env(kafka_bootstrap=bootstrap, topic_prefix=prefix, app_id=app_id,
                              partitions=str(partitions), data_dir=str(data_dir), **(extra_env or {}))
        self.proc: subprocess.Popen | None = None

    def start(self):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "micromoments", self.command], env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def check_alive(self) -> None:
        if self.proc is None:
            raise ProcessDied(f"{self.command} was never started")
        code = self.proc.poll()
        if code is not None:
            text = self.log_text()
            raise ProcessDied(f"{self.command} ({self.log_path.stem}, pid {self.proc.pid}) exited with code {code}: "
                              f"{stop_reason(text)}\nits log: {self.keep_log()}\n{self.log_tail()}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def keep_log(self) -> Path:
        """Copy the log to ``keep_logs`` (if set); returns where it can be read afterwards."""
        if self.keep_logs is None or not self.log_path.exists():
            return self.log_path
        self.keep_logs.mkdir(parents=True, exist_ok=True)
        pid = self.proc.pid if self.proc is not None else 0
        kept = self.keep_logs / f"{time.strftime('%Y%m%d-%H%M%S')}-{self.command}-{self.log_path.stem}-{pid}.log"
        shutil.copyfile(self.log_path, kept)
        return kept

    def log_tail(self, n: int = 15) -> str:
        return "\n".join(self.log_text().splitlines()[-n:]) or "(no log)"

    def stop(self, timeout: float = 30.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class WorkerProc(_Proc):
    command = "worker"

    def __init__(self, bootstrap: str, prefix: str, partitions: int, data_dir: Path, app_id: str,
                 name: str = "worker", extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        super().__init__(bootstrap, prefix, partitions, data_dir, app_id, name,
                         {"web_port": str(self.port), **(extra_env or {})})

    def page(self) -> dict | None:
        """The ``/stats/`` page (stats, held, open_sessions, assigned), or None while it is not up."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats/", timeout=5) as r:
                return json.loads(r.read())
        except (OSError, ValueError):
            return None

    def stats(self) -> dict:
        page = self.page()
        return page["stats"] if page else {}

    def cpu_s(self) -> float:
        """CPU seconds the worker process has used so far."""
        return cpu_seconds(Path(f"/proc/{self.pid}/stat").read_text())

    def rss_mb(self) -> tuple[float, float]:
        """(resident, peak resident) memory of the worker process in MiB."""
        text = Path(f"/proc/{self.pid}/status").read_text()
        return (vm_kb(text, "VmRSS") or 0) / 1024.0, (vm_kb(text, "VmHWM") or 0) / 1024.0


class SinkProc(_Proc):
    """The ClickHouse sink (embedded chDB in its data dir); its endpoint picks a free port."""

    command = "sink"

    def __init__(self, bootstrap: str, prefix: str, partitions: int, data_dir: Path, app_id: str,
                 extra_env: dict[str, str] | None = None) -> None:
        super().__init__(bootstrap, prefix, partitions, data_dir, app_id, "sink", {"sink_port": "0", **(extra_env or {})})

    def stats(self) -> dict | None:
        """The sink's counters (records read, rows inserted per table, ...), None while it is not up."""
        try:
            url = json.loads((self.data_dir / "sink.endpoint").read_text())["url"]
            with urllib.request.urlopen(url + "/stats", timeout=5) as r:
                return json.loads(r.read())["stats"]
        except (OSError, ValueError, KeyError):
            return None


def wait_until(predicate, procs: list[_Proc], timeout: float, what: str, every: float = 0.2):
    """Poll ``predicate()`` until it returns something truthy; fail if a process dies or on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        for p in procs:
            p.check_alive()
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            tails = "\n".join(f"{p.command} log (kept: {p.keep_log()}):\n{p.log_tail()}" for p in procs)
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")
        time.sleep(every)
