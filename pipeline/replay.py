"""``micromoments replay``: the streaming core, driven by a JSON-lines file.

Each line is one message with an extra ``topic`` field. Lines go, in file
order, through ``schemas.decode_replay_line`` and ``Core`` — exactly the code
the Faust agents call — and the moments that the worker would publish are
written as JSON lines. Bad lines go to the DLQ output with line number and reason.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from pipeline.core import Core, Outcome
from pipeline.engine import TOPIC_RANK
from pipeline.state import UserState
from schemas import DlqRecord, Moment, Rejection, decode_replay_line
from schemas.timefmt import format_ts
from schemas.topics import VENUES_TOPIC


@dataclass
class ReplayStats:
    lines: int = 0
    processed: int = 0
    duplicates: int = 0
    dlq: int = 0
    venues: int = 0
    moments: int = 0
    learned: int = 0
    moments_by_class: Counter = field(default_factory=Counter)
    dlq_by_reason: Counter = field(default_factory=Counter)


class Replayer:
    """Holds the state a replay builds: users, venues, the detector."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.users: dict[str, UserState] = {}
        self.stats = ReplayStats()

    def user(self, user_id: str) -> UserState:
        state = self.users.get(user_id)
        if state is None:
            state = self.users[user_id] = UserState(user_id)
        return state

    def feed(self, lines: Iterable[bytes]) -> Iterator[Moment | DlqRecord]:
        """Process lines in order; yields each moment and each DLQ record as it happens.

        Events with the same event time are taken in topic order (clickstream, search,
        location, feedback), as the worker's event-time merge takes them: the order of a
        tie across topics is not something a Kafka consumer could know.
        """
        st = self.stats
        tie: list[tuple[int, int, str, Any, float]] = []  # (rank, seq, topic, msg, arrival) at one ts
        for number, line in enumerate(lines, start=1):
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            st.lines += 1
            arrival_ms = time.time() * 1000.0
            topic, msg = decode_replay_line(line)
            if isinstance(msg, Rejection):
                st.dlq += 1
                st.dlq_by_reason[msg.reason] += 1
                yield DlqRecord(reason=msg.reason, detail=msg.detail, source_topic=topic or None, line=number,
                                value_b64=DlqRecord.b64(line), received_at=format_ts(arrival_ms))
                continue
            if topic == VENUES_TOPIC:
                self.core.apply_venue(msg)
                st.venues += 1
                continue
            if tie and tie[0][3].ts != msg.ts:
                yield from self._handle_tie(tie)
            tie.append((TOPIC_RANK[topic], number, topic, msg, arrival_ms))
        yield from self._handle_tie(tie)

    def _handle_tie(self, tie: list) -> Iterator[Moment]:
        tie.sort(key=lambda t: (t[0], t[1]))
        for _, _, topic, msg, arrival_ms in tie:
            outcome = self.core.handle(topic, msg, self.user(msg.user_id), arrival_ms)
            self._count(outcome)
            yield from outcome.moments
        tie.clear()

    def _count(self, outcome: Outcome) -> None:
        st = self.stats
        if outcome.status == "duplicate":
            st.duplicates += 1
            return
        st.processed += 1
        st.learned += outcome.learned
        for m in outcome.moments:
            st.moments += 1
            st.moments_by_class[m.moment] += 1


def dumps(model: Moment | DlqRecord) -> bytes:
    return orjson.dumps(model.model_dump(mode="json")) + b"\n"


@contextlib.contextmanager
def _open(path: str, mode: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer if "r" in mode else sys.stdout.buffer
        return
    with open(path, mode) as fh:
        yield fh


def run(input_path: str, output_path: str, dlq_path: str | None, core: Core, progress: bool = False) -> ReplayStats:
    replayer = Replayer(core)
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
    return replayer.stats


def _with_progress(src: IO[bytes], total: int) -> Iterator[bytes]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    columns = (TextColumn("replay"), BarColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("replay", total=total)
        for line in src:
            bar.advance(task, len(line))
            yield line


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _cmd_replay(args: argparse.Namespace) -> int:
    from config import CLIError, get_settings
    from pipeline.detector_factory import build_core

    if args.input != "-" and not Path(args.input).is_file():
        raise CLIError(f"input file not found: {args.input}")
    try:
        core = build_core(get_settings(), state_dir=args.state)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    stats = run(args.input, args.output, args.dlq, core, progress=not args.quiet and sys.stderr.isatty())
    if args.state is not None and hasattr(core.detector, "kind") and core.detector.kind != "naive-bayes":
        from detectors import checkpoint

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
                    "same validation, sessionization, features and detector as the worker, and write "
                    "the moments it would publish as JSON lines.",
    )
    p.add_argument("--input", "-i", required=True, help="input JSON lines ('-' = stdin)")
    p.add_argument("--output", "-o", required=True, help="moments as JSON lines ('-' = stdout)")
    p.add_argument("--dlq", help="bad lines with line number and reason (JSON lines)")
    p.add_argument("--state", type=Path, help="start from the detector checkpoint in DIR and save it there at the end")
    p.add_argument("--quiet", "-q", action="store_true", help="no summary, no progress bar")
    p.set_defaults(func=_cmd_replay)
