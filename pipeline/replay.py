"""``micromoments replay``: the streaming engine, driven by a JSON-lines file.

Each line is one message with an extra ``topic`` field. Replay is the worker's ``StreamEngine``
run over the file, as if the file's lines were already in Kafka: one partition per topic, the
offset of a record its place among its topic's lines, the users' states in a dict, and a topic
caught up once the file has no more lines of it. So there is one ordering rule (the event-time
merge), one DLQ format, erase requests (``mm.control`` lines) and session expiry, and the same
outputs: the moments the worker would publish, its DLQ records (with the line number), and with
``--analytics DIR`` what it would send to its analytics streams, one JSON-lines file per stream.
A line that is not JSON or names no known topic never reaches the engine: it goes to the DLQ
with its line number and reason.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson

from config import CLIError
from detectors import checkpoint
from pipeline.core import Core
from pipeline.engine import InRecord, OutRecord, StreamEngine, dlq_record
from pipeline.learning import FrozenLearning, from_snapshot
from schemas import DlqRecord, Moment, Rejection
from schemas.decode import INPUT_TOPICS, parse_json
from schemas.topics import ANALYTICS_TOPICS, CONTROL_TOPIC, DLQ_TOPIC, MOMENT_TOPICS, PROFILES_TOPIC, VENUES_TOPIC

#: lines handed to the engine at a time (then idle sessions are closed, as the worker's timer does)
BATCH_LINES = 1000
#: the topics a replay line may name: the inputs and the operators' erase requests
REPLAY_TOPICS = frozenset((*INPUT_TOPICS, CONTROL_TOPIC))
REPLAY_WORKER = "replay"  # the worker id of replay's model metrics


@dataclass
class ReplayStats:
    lines: int = 0
    processed: int = 0
    duplicates: int = 0
    dlq: int = 0
    venues: int = 0
    moments: int = 0
    moments_by_class: Counter = field(default_factory=Counter)
    dlq_by_reason: Counter = field(default_factory=Counter)


def line_record(line: bytes) -> tuple[str, bytes | None, bytes | None] | Rejection:
    """A replay line as the Kafka record it stands for: (topic, key, value) — the message without
    its ``topic`` field, keyed by user id (venues: by venue id; ``deleted: true`` is a tombstone)."""
    obj = parse_json(line)
    if isinstance(obj, Rejection):
        return obj
    topic = obj.pop("topic", None)
    if not isinstance(topic, str) or not topic:
        return Rejection("unknown_topic", "the line names no input topic (field 'topic')")
    if topic not in REPLAY_TOPICS:
        return Rejection("unknown_topic", f"unknown input topic {topic!r}")
    if topic == VENUES_TOPIC:
        vid = obj.get("venue_id")
        key = vid.encode("utf-8") if isinstance(vid, str) else None
        return topic, key, None if obj.get("deleted") is True and key else orjson.dumps(obj)
    uid = obj.get("user_id")
    return topic, uid.encode("utf-8", "surrogatepass") if isinstance(uid, str) else None, orjson.dumps(obj)


#: what ``--analytics DIR`` writes: the analytics streams and the profiles topic
REPLAY_STREAMS = (*ANALYTICS_TOPICS, PROFILES_TOPIC)


class Replayer:
    """The engine over lines: ``feed`` yields each moment and DLQ record as the worker would send
    it; ``analytics`` (if given) receives every record for the analytics streams."""

    def __init__(self, core: Core, analytics: Callable[[OutRecord], None] | None = None) -> None:
        self.core = core
        self.store: dict[str, bytes] = {}  # user id -> serialized state, as the worker's table
        self.engine = StreamEngine(core, self.store, start=lambda source: 0)
        self.analytics = analytics
        self.stats = ReplayStats()

    def reset_users(self) -> None:
        """Forget every user (a new, independent scenario; the model carries over)."""
        self.store.clear()

    def feed(self, lines: Iterable[bytes]) -> Iterator[Moment | DlqRecord]:
        """Process the lines; yields each moment and each DLQ record in the order the worker would
        send them. The lines are read twice (where each topic's last line is decides when it is
        caught up), so an iterator is kept in memory."""
        self.engine = StreamEngine(self.core, self.store, start=lambda source: 0)  # a file: offsets from 0
        lines = [line.rstrip(b"\r\n") for line in lines]
        records: list[tuple[int, tuple[str, bytes | None, bytes | None] | Rejection]] = [
            (number, line_record(line)) for number, line in enumerate(lines, start=1) if line.strip()]
        last_line = {rec[0]: number for number, rec in records if not isinstance(rec, Rejection)}
        offsets: Counter[str] = Counter()
        read = [0]  # the line number read up to
        caught_up = lambda source: read[0] >= last_line.get(source[0], 0)  # noqa: E731
        batch: list[InRecord] = []
        for number, rec in records:
            self.stats.lines += 1
            arrival_ms = time.time() * 1000.0
            if isinstance(rec, Rejection):
                yield from self._sent([OutRecord(DLQ_TOPIC, None, dlq_record(
                    rec, None, None, None, None, lines[number - 1], arrival_ms, line=number))])
                continue
            topic, key, value = rec
            batch.append(InRecord(topic, 0, offsets[topic], key, value, arrival_ms, line=number))
            offsets[topic] += 1
            if len(batch) >= BATCH_LINES:
                read[0] = number
                yield from self._run(batch, caught_up)
                batch = []
        read[0] = len(lines)
        yield from self._run(batch, caught_up)
        while self.engine.waiting():
            yield from self._sent(self.engine.tick(caught_up, time.time() * 1000.0).sends)
        yield from self._sent(self.engine.expire_sessions().sends)
        row = self.engine.metrics_row(REPLAY_WORKER, time.time() * 1000.0)
        yield from self._sent([row] if row is not None else [])
        stats, st = self.engine.stats, self.stats
        st.processed += stats["processed"]
        st.duplicates += stats["duplicate"]
        st.venues += stats["venues"]

    def _run(self, batch: list[InRecord], caught_up) -> Iterator[Moment | DlqRecord]:
        yield from self._sent(self.engine.ingest(batch, caught_up, time.time() * 1000.0).sends)
        yield from self._sent(self.engine.expire_sessions().sends)

    def _sent(self, sends: list[OutRecord]) -> Iterator[Moment | DlqRecord]:
        st = self.stats
        for out in sends:
            if out.topic in MOMENT_TOPICS:
                moment = Moment.model_validate_json(out.value)
                st.moments += 1
                st.moments_by_class[moment.moment] += 1
                yield moment
            elif out.topic == DLQ_TOPIC:
                record = DlqRecord.model_validate_json(out.value)
                st.dlq += 1
                st.dlq_by_reason[record.reason] += 1
                yield record
            elif out.topic in REPLAY_STREAMS and self.analytics is not None:
                self.analytics(out)


def dumps(model: Moment | DlqRecord) -> bytes:
    return orjson.dumps(model.model_dump(mode="json")) + b"\n"


@contextlib.contextmanager
def _open(path: str, mode: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer if "r" in mode else sys.stdout.buffer
        return
    with open(path, mode) as fh:
        yield fh


class AnalyticsFiles:
    """``--analytics DIR``: one JSON-lines file per analytics stream (``DIR/events.jsonl``,
    ``moments.jsonl``, ``sessions.jsonl``, ``metrics.jsonl``, ``contacts.jsonl``) and the
    ``profiles`` topic (``DIR/profiles.jsonl``), in the order the worker sends."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._files = {t: open(directory / f"{t.rsplit('.', 1)[-1]}.jsonl", "wb") for t in REPLAY_STREAMS}

    def __call__(self, out: OutRecord) -> None:
        if out.value is not None:  # (replay has no erase requests: no tombstones)
            self._files[out.topic].write(out.value + b"\n")

    def close(self) -> None:
        for f in self._files.values():
            f.close()


def run(input_path: str, output_path: str, dlq_path: str | None, core: Core, progress: bool = False,
        analytics_dir: Path | None = None) -> ReplayStats:
    analytics = AnalyticsFiles(analytics_dir) if analytics_dir is not None else None
    replayer = Replayer(core, analytics)
    try:
        with _open(input_path, "rb") as src, _open(output_path, "wb") as out, \
                (_open(dlq_path, "wb") if dlq_path else contextlib.nullcontext(None)) as dlq:
            lines: Iterable[bytes] = src
            if progress and input_path != "-":
                lines = _with_progress(src, Path(input_path).stat().st_size)
            for item in replayer.feed(lines):
                if isinstance(item, Moment):
                    out.write(dumps(item))
                elif dlq is not None:
                    dlq.write(dumps(item))
    finally:
        if analytics is not None:
            analytics.close()
    return replayer.stats


def _with_progress(src: IO[bytes], total: int) -> Iterator[bytes]:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    columns = (TextColumn("reading"), BarColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("replay", total=total)
        for line in src:
            bar.advance(task, len(line))
            yield line


def _cmd_replay(args: argparse.Namespace) -> int:
    from config import get_settings
    from pipeline.detector_factory import build_core

    if args.input != "-" and not Path(args.input).is_file():
        raise CLIError(f"input file not found: {args.input}")
    if args.model is not None and args.state is not None:
        raise CLIError("--model and --state both name the model to start from: give one")
    try:
        core = build_core(get_settings(), state_dir=args.state)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    if args.model is not None:
        core.use_models(exported_models(args.model))
    if args.freeze:
        core.set_learning(FrozenLearning())
    stats = run(args.input, args.output, args.dlq, core, progress=not args.quiet and sys.stderr.isatty(),
                analytics_dir=args.analytics)
    if args.state is not None and checkpoint.savable(core.detector):
        checkpoint.save(core.detector, args.state)
    if not args.quiet:
        by_class = ", ".join(f"{m} {n}" for m, n in sorted(stats.moments_by_class.items())) or "none"
        print(f"replayed {stats.lines} lines: {stats.processed} processed, {stats.duplicates} duplicates, "
              f"{stats.dlq} to DLQ, {stats.venues} venue records; {stats.moments} moments ({by_class})",
              file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay", help="run the pipeline over a JSON-lines file, without Kafka",
        description="Replay JSON-lines input (one message per line with a 'topic' field) through the "
                    "streaming engine of the worker (validation, order, sessions, features, detector), and "
                    "write the moments it would publish as JSON lines.",
    )
    p.add_argument("--input", "-i", required=True, help="input JSON lines ('-' = stdin)")
    p.add_argument("--output", "-o", required=True, help="moments as JSON lines ('-' = stdout)")
    p.add_argument("--dlq", help="bad lines with line number and reason (JSON lines)")
    p.add_argument("--analytics", type=Path, metavar="DIR",
                   help="also write what the worker sends to its analytics streams: DIR/<stream>.jsonl")
    p.add_argument("--state", type=Path, help="start from the detector checkpoint in DIR and save it there at the end")
    p.add_argument("--model", type=Path, metavar="FILE",
                   help="decide with this version of the shared model (`micromoments model export`)")
    p.add_argument("--freeze", action="store_true",
                   help="learn nothing: every event is decided by the starting model (with --model: the "
                        "decisions the workers made with that version)")
    p.add_argument("--quiet", "-q", action="store_true", help="no summary, no progress bar")
    p.set_defaults(func=_cmd_replay)


def exported_models(path: Path):
    """The models of a file ``micromoments model export`` wrote."""
    try:
        return from_snapshot(orjson.loads(path.read_bytes())["models"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CLIError(f"--model {path}: not a model export ({exc})") from None
