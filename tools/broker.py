"""A real single-node Apache Kafka broker (KRaft, broker + controller) on the local JVM.

No Docker needed: Maven resolves the broker's jars once (``deploy/kafka/pom.xml``) and
``java -cp '<jars>/*' kafka.Kafka server.properties`` runs it, detached, with its state in
``<data_dir>/broker/``. ``micromoments broker start|stop|status|jars`` drives it; the test suite
uses the same class, so developers, CI and users all get the same broker.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from config import PROJECT_ROOT, CLIError, Settings, get_settings

POM = PROJECT_ROOT / "deploy" / "kafka" / "pom.xml"
MAIN_JAR = "kafka_2.13-*.jar"
MIN_JAVA = 17

# Templates of the broker's config files, written to <data_dir>/broker/ at each start.
SERVER_PROPERTIES = POM.with_name("server.properties")  # string.Template: $port, $cport, $log_dirs
LOG4J2_XML = POM.with_name("log4j2.xml")


class BrokerError(CLIError):
    """The local broker cannot be set up, started or stopped (printed as a CLI error)."""


def parse_java_major(version_output: str) -> int | None:
    """The major version in ``java -version`` output ("1.8.0_292" -> 8, "17.0.15" -> 17)."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def require_java() -> str:
    """Path of a ``java`` >= 17 (PATH first, then ``$JAVA_HOME/bin``), else BrokerError."""
    java_home = os.environ.get("JAVA_HOME")
    java = shutil.which("java") or (java_home and shutil.which("java", path=os.path.join(java_home, "bin")))
    if not java:
        raise BrokerError(f"'java' not found: the local Kafka broker needs a Java {MIN_JAVA}+ runtime on "
                          "PATH or in JAVA_HOME (e.g. apt-get install openjdk-17-jre-headless)")
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    major = parse_java_major(out.stderr + out.stdout)
    if major is None or major < MIN_JAVA:
        raise BrokerError(f"{java} is Java {major or '?'}; the Kafka broker needs Java {MIN_JAVA}+")
    return java


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def ensure_jars(settings: Settings) -> Path:
    """The folder with the Kafka server jars, resolved by Maven into it on first use."""
    home = settings.kafka_home.expanduser().resolve()
    if any(home.glob(MAIN_JAR)):
        return home
    require_java()  # Maven runs on it too: say so plainly rather than show a Maven failure
    mvn = shutil.which("mvn")
    if mvn is None or not POM.exists():
        raise BrokerError(f"no Kafka jars in {home}, and " + ("'mvn' not found: install Maven (apt-get install maven)"
                          if mvn is None else f"no {POM} to resolve them with")
                          + ", or point MOMENTS_KAFKA_HOME at a folder with the kafka_2.13 jars")
    home.parent.mkdir(parents=True, exist_ok=True)
    # A private staging folder: a failed or concurrent run never leaves a half-filled
    # kafka_home that would pass the "main jar present" check later.
    staging = Path(tempfile.mkdtemp(prefix=".kafka-jars-", dir=home.parent))
    try:
        cmd = [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
               f"-DoutputDirectory={staging}", "-DincludeScope=runtime"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        if out.returncode != 0 or not any(staging.glob(MAIN_JAR)):
            raise BrokerError(f"Maven could not resolve the Kafka jars ({' '.join(cmd)}):\n"
                              + _tail(out.stdout + out.stderr))
        home.mkdir(parents=True, exist_ok=True)
        for jar in sorted(staging.glob("*.jar"), key=lambda p: p.match(MAIN_JAR)):  # marker jar last
            os.replace(jar, home / jar.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return home


def pick_port(port: int, what: str) -> int:
    """``port`` if it is free on 127.0.0.1 (else a clear error); for 0, one the OS picks."""
    with socket.socket() as sock:
        # As the JVM binds its listener: with SO_REUSEADDR a port whose only users are
        # connections in TIME_WAIT (left by a broker just stopped) counts as free, so a
        # restart on the same port works; a live listener still makes the bind fail.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise BrokerError(f"{what} port {port} on 127.0.0.1 is in use ({exc.strerror})") from None
        return sock.getsockname()[1]


def kafka_cluster_id() -> str:
    """A cluster id like ``StorageTool random-uuid`` makes (base64url of 16 random bytes),
    without paying a JVM start for it."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):  # Kafka avoids ids that look like command-line flags
            return cid


def probe(bootstrap: str, timeout: float = 5.0) -> bool:
    """True if the broker answers a metadata request (aiokafka's admin client lists topics)."""
    from aiokafka.admin import AIOKafkaAdminClient

    async def list_topics() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
        try:
            await admin.start()
            await admin.list_topics()
        finally:
            await admin.close()

    # A worker thread has its own event loop, so this works when called from async code too.
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            pool.submit(asyncio.run, list_topics()).result(timeout=timeout + 5)
            return True
        except Exception:  # noqa: BLE001 - any failure just means "not ready (yet)"
            return False


@dataclass
class BrokerStatus:
    """What ``status()`` knows: running or not, and where."""

    running: bool
    pid: int | None = None
    bootstrap: str | None = None
    log: Path | None = None
    stale: bool = False  # a pid file was left by a broker that is gone
    secure_env: str | None = None  # --secure: the client settings of the SASL_SSL listener

    def describe(self) -> str:
        if self.running:
            secure = (f"; SASL_SSL listener: its client settings are in {self.secure_env} "
                      f"(set -a; . {self.secure_env}; set +a)") if self.secure_env else ""
            return f"broker running at {self.bootstrap} (pid {self.pid}, log {self.log}){secure}"
        return "broker not running" + (" (removed a stale pid file)" if self.stale else "")


class LocalBroker:
    """A detached single-node KRaft broker whose state lives in ``<data_dir>/broker``."""

    def __init__(self, settings: Settings | None = None, secure: bool = False) -> None:
        self.settings = settings or get_settings()
        self.secure = secure  # also a SASL_SSL listener (tools/broker_secure.py)
        self.dir = self.settings.data_dir.expanduser().resolve() / "broker"
        self.properties, self.log4j2 = self.dir / "server.properties", self.dir / "log4j2.xml"
        self.log, self.kraft_dir = self.dir / "broker.log", self.dir / "kraft"
        self.pid_file, self.state_file = self.dir / "broker.pid", self.dir / "state.json"
        self._proc: subprocess.Popen | None = None  # our own child: poll() reaps it when it exits
        self._launched: dict = {}  # the state of the JVM ``launch`` started

    def _alive(self, pid: int) -> bool:
        """True if ``pid`` is a live Kafka broker running our server.properties."""
        if self._proc is not None and self._proc.pid == pid:
            return self._proc.poll() is None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # someone else's process: the cmdline check decides
        cmdline = Path(f"/proc/{pid}/cmdline")
        if not cmdline.parent.exists():
            return True  # no procfs (macOS): trust the pid file
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            return False
        # A recycled pid belongs to another program: never report (or kill) it as the broker.
        return b"kafka.Kafka" in args and str(self.properties).encode() in args

    def status(self) -> BrokerStatus:
        """Running or not; a stale pid file (broker gone) is removed on the way."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            pid = None
        if pid is not None and self._alive(pid):
            try:
                state = json.loads(self.state_file.read_text())
            except (OSError, ValueError):
                state = {}
            return BrokerStatus(True, pid, state.get("bootstrap"), self.log, secure_env=state.get("secure_env"))
        stale = pid is not None or self.state_file.exists()
        self._forget()
        return BrokerStatus(False, log=self.log, stale=stale)

    def _forget(self) -> None:
        self.pid_file.unlink(missing_ok=True)
        self.state_file.unlink(missing_ok=True)

    def _java(self, java: str, lib: Path, main: str, *args: str) -> list[str]:
        return [java, f"-Xmx{self.settings.broker_heap}",
                "-XX:+UseSerialGC",  # one GC thread: leave the other core to the pipeline
                "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={self.log4j2}", "-cp", f"{lib}{os.sep}*", main, *args]

    def _format(self, java: str, lib: Path, scram: list[str]) -> None:
        """Format the KRaft storage once per data dir (meta.properties says it is done); ``scram``:
        the secure listener's SCRAM users (they can only be stored at format time here)."""
        if (self.kraft_dir / "meta.properties").exists():
            return
        cmd = self._java(java, lib, "kafka.tools.StorageTool", "format", "-t", kafka_cluster_id(),
                         "-c", str(self.properties), *scram)
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise BrokerError("formatting the KRaft storage failed:\n" + _tail(out.stdout + out.stderr))

    def log_tail(self, lines: int = 40) -> str:
        try:
            return _tail(self.log.read_text(errors="replace"), lines)
        except OSError:
            return "(no broker log)"

    def start(self, timeout: float = 60.0) -> BrokerStatus:
        """Start the broker unless it runs already, and wait until it answers requests."""
        current = self.status()
        if current.running:
            return current
        self.launch()
        return self.wait_ready(timeout)

    def launch(self) -> None:
        """Format the data dir and start the broker's JVM, without waiting for it (``wait_ready``):
        a caller with other work to do meanwhile (the soak simulates its traffic) starts it first."""
        java, lib = require_java(), ensure_jars(self.settings)
        self.dir.mkdir(parents=True, exist_ok=True)
        port = pick_port(self.settings.broker_port, "broker")
        cport = pick_port(self.settings.controller_port, "controller")
        while cport == port:  # two "pick a free port" calls may agree
            cport = pick_port(0, "controller")
        sport, secure, scram = None, None, []
        if self.secure:
            from tools import broker_secure

            sport = pick_port(0, "secure listener")
            while sport in (port, cport):
                sport = pick_port(0, "secure listener")
            secure = broker_secure.material(self.dir)
            scram = broker_secure.scram_format_args(secure)
        template = string.Template(SERVER_PROPERTIES.read_text())
        text = template.substitute(port=port, cport=cport, log_dirs=self.kraft_dir,
                                   secure_listener=f",SASL_SSL://127.0.0.1:{sport}" if secure else "")
        if secure is not None:
            text += broker_secure.listener_properties(secure)
        self.properties.write_text(text)
        shutil.copyfile(LOG4J2_XML, self.log4j2)
        self._format(java, lib, scram)
        bootstrap = f"127.0.0.1:{port}"
        with open(self.log, "wb") as log:  # a fresh log per start: its tail explains failures
            # A new session: the broker outlives `micromoments broker start` and ignores the
            # terminal's Ctrl-C; `broker stop` ends it.
            self._proc = subprocess.Popen(self._java(java, lib, "kafka.Kafka", str(self.properties)),
                                          stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                          cwd=self.dir, start_new_session=True)
        self.pid_file.write_text(f"{self._proc.pid}\n")
        state = {"pid": self._proc.pid, "bootstrap": bootstrap, "broker_port": port, "controller_port": cport,
                 "log": str(self.log), "started_at": time.time()}
        if secure is not None:
            state.update(secure_port=sport, secure_env=str(broker_secure.write_env(secure, sport)))
        self.state_file.write_text(json.dumps(state, indent=2) + "\n")
        self._launched = state

    def wait_ready(self, timeout: float = 60.0) -> BrokerStatus:
        """Block until the broker ``launch`` started answers requests (see ``_wait_ready``)."""
        state = self._launched
        self._wait_ready(state["bootstrap"], timeout)
        return BrokerStatus(True, self._proc.pid, state["bootstrap"], self.log, secure_env=state.get("secure_env"))

    def _wait_ready(self, bootstrap: str, timeout: float) -> None:
        """Block until a metadata request succeeds; on exit or timeout, clean up and explain."""
        port = int(bootstrap.rsplit(":", 1)[1])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._forget()
                raise BrokerError(f"the broker exited with code {self._proc.returncode}; "
                                  f"log {self.log}:\n{self.log_tail()}")
            try:  # a cheap TCP check first; the admin client only once the listener is up
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                time.sleep(0.25)
                continue
            if probe(bootstrap):
                return
            time.sleep(0.5)
        self.stop()
        raise BrokerError(f"the broker did not answer on {bootstrap} within {timeout:.0f} s; "
                          f"log {self.log}:\n{self.log_tail()}")

    def stop(self, timeout: float = 30.0) -> BrokerStatus:
        """SIGTERM (Kafka's clean shutdown), SIGKILL after ``timeout`` s; then forget it."""
        current = self.status()
        if not current.running:
            return current
        os.kill(current.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self._alive(current.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if self._alive(current.pid):
            os.kill(current.pid, signal.SIGKILL)
            while self._alive(current.pid):
                time.sleep(0.1)
        self._forget()
        return BrokerStatus(False, current.pid, current.bootstrap, self.log)


def _broker(args: argparse.Namespace) -> LocalBroker:
    settings = get_settings()
    if getattr(args, "port", None) is not None:
        settings = settings.model_copy(update={"broker_port": args.port})
    return LocalBroker(settings, secure=getattr(args, "secure", False))


def _cmd_start(args: argparse.Namespace) -> int:
    broker = _broker(args)
    was_running, began = broker.status().running, time.monotonic()
    status = broker.start(timeout=args.timeout)
    note = "already running" if was_running else f"started in {time.monotonic() - began:.1f} s"
    print(f"{status.describe()} [{note}]")
    return 0


def _cmd_stop(args: argparse.Namespace) -> int:
    status = _broker(args).stop(timeout=args.timeout)
    print(f"broker stopped (pid {status.pid})" if status.pid else status.describe())
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    status = _broker(args).status()
    print(status.describe())
    return 0 if status.running else 1


def _cmd_jars(args: argparse.Namespace) -> int:
    began = time.monotonic()
    home = ensure_jars(get_settings())
    print(f"Kafka jars in {home} ({len(list(home.glob('*.jar')))} jars, {time.monotonic() - began:.1f} s)")
    return 0


def restart(broker: LocalBroker, while_down=lambda: None) -> LocalBroker:
    """Stop ``broker`` (SIGTERM), call ``while_down()``, start it again on the same ports with the
    same data dir (log dirs and KRaft metadata kept), so clients reconnect to the address they know."""
    state = json.loads(broker.state_file.read_text())
    broker.stop()
    while_down()
    again = LocalBroker(broker.settings.model_copy(
        update={"broker_port": state["broker_port"], "controller_port": state["controller_port"]}))
    again.start()  # the same pid file: stopping ``broker`` later stops this one
    return again


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``micromoments broker start|stop|status|jars``."""
    parser = subparsers.add_parser(
        "broker", help="run a local single-node Apache Kafka broker (KRaft, no Docker)",
        description="A real Apache Kafka broker on the local JVM (Java 17+; its jars are resolved once by "
                    "Maven into MOMENTS_KAFKA_HOME). State and broker.log live in MOMENTS_DATA_DIR/broker.")
    actions = parser.add_subparsers(dest="broker_command", metavar="ACTION", required=True)
    start = actions.add_parser("start", help="start the broker in the background; wait until it is ready",
                               description="Start the broker detached and print its bootstrap address.")
    start.add_argument("--port", type=int, help="PLAINTEXT port (default MOMENTS_BROKER_PORT; 0 = pick a free one)")
    start.add_argument("--timeout", type=float, default=60.0, help="seconds to wait until ready (default 60)")
    start.add_argument("--secure", action="store_true",
                       help="also a SASL_SSL listener (TLS with its own CA; PLAIN and SCRAM-SHA-256/512); the "
                            "client settings go to MOMENTS_DATA_DIR/broker/secure/secure.env. SCRAM users are "
                            "made when the storage is formatted: use a new data dir")
    start.set_defaults(func=_cmd_start)
    stop = actions.add_parser("stop", help="stop the broker (SIGTERM; SIGKILL after --timeout)",
                              description="Stop the broker that 'broker start' started.")
    stop.add_argument("--timeout", type=float, default=30.0, help="seconds before SIGKILL (default 30)")
    stop.set_defaults(func=_cmd_stop)
    status = actions.add_parser("status", help="is the broker running, and where (exit code 1 if not)",
                                description="Print the broker's pid and bootstrap address; exit 1 if not running.")
    status.set_defaults(func=_cmd_status)
    jars = actions.add_parser("jars", help="resolve the Kafka server jars with Maven now (else on first start)",
                              description="Copy the Kafka server jars into MOMENTS_KAFKA_HOME unless already there.")
    jars.set_defaults(func=_cmd_jars)
