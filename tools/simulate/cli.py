"""``micromoments simulate``: write a scenario to files and/or produce it to Kafka."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from config import CLIError

HELP = "generate a synthetic scenario (events, ground truth, meta) for a shop profile"
DESCRIPTION = """\
Generate synthetic shop traffic with ground truth: clicks, searches, positions,
delayed feedback and venue records, with the realism of the shared sample
(generic events, contradicting cues, intent shifts, opted-out users, sessions
without session_id, mixed ts formats, duplicates, bad lines). Writes
DIR/events.jsonl (replay input), DIR/truth.jsonl and DIR/meta.json, and/or
produces the lines to Kafka. The same seed gives the same bytes.

--profiles adds the customers: a hidden relationship per user (criticality,
churn, interests), emails, chats, call notes, reviews and social posts in the
shop's language(s) with their mood as truth, agent answers, cancellation and
return cues in sessions, and sentiment/outcome feedback; it also writes
DIR/users.jsonl and DIR/contacts_truth.jsonl (like the shared sample
electronics-en-profiles)."""
EPILOG = """\
examples:
  micromoments simulate --list-profiles
  micromoments simulate --profile baumarkt-de --sessions 2000 --seed 1 --out runs/bm
  micromoments simulate --profile electronics-en --kafka --rate 500
  micromoments simulate --profile bank-de-en --profiles --sessions 400 --seed 7 --out runs/bank
  micromoments replay -i runs/bank/events.jsonl -o runs/bank/moments.jsonl --analytics runs/bank/analytics
  micromoments replay -i runs/bm/events.jsonl -o runs/bm/moments.jsonl"""


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a share must be between 0 and 1, got {text}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("simulate", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--profile", metavar="NAME", help="shop profile (see --list-profiles)")
    p.add_argument("--list-profiles", action="store_true", help="list the profiles and exit")
    p.add_argument("--sessions", type=int, default=400, metavar="N", help="sessions to simulate (default 400)")
    p.add_argument("--seed", type=int, default=7, metavar="S", help="random seed (default 7); same seed, same bytes")
    p.add_argument("--out", type=Path, metavar="DIR", help="write events.jsonl, truth.jsonl, meta.json into DIR")
    p.add_argument("--kafka", action="store_true", help="produce the lines to Kafka (topic prefix from settings)")
    p.add_argument("--bootstrap", metavar="HOST:PORT",
                   help="Kafka bootstrap servers (default: MOMENTS_KAFKA_BOOTSTRAP)")
    p.add_argument("--rate", type=float, metavar="EV_PER_S", help="with --kafka: messages per second (default: max)")
    p.add_argument("--start", metavar="RFC3339",
                   help="scenario start, e.g. 2025-05-13T06:00:00Z (default: per profile)")
    p.add_argument("--hours", type=float, metavar="H", help="length of the traffic window (default: sessions/33, >= 2)")
    p.add_argument("--profiles", action="store_true",
                   help="customer-profile variant: contacts (events.contact) with mood truth, relationship per user, "
                        "cancellation/return cues, sentiment/outcome feedback; also writes users.jsonl and "
                        "contacts_truth.jsonl")
    knobs = p.add_argument_group("realism knobs (shares between 0 and 1)")
    knobs.add_argument("--opt-out-share", type=_share, default=0.03, metavar="X",
                       help="users with consent.personalization=false on every event (default 0.03)")
    knobs.add_argument("--analytics-off-share", type=_share, default=0.01, metavar="X",
                       help="users with consent.analytics=false (default 0.01)")
    knobs.add_argument("--feedback-share", type=_share, default=0.3, metavar="X",
                       help="sessions that get a delayed feedback label 1-20 min after their end (default 0.3)")
    knobs.add_argument("--bad-share", type=_share, default=0.03, metavar="X",
                       help="share of all lines that are bad input (default 0.03)")
    knobs.add_argument("--shift-share", type=_share, default=0.1, metavar="X",
                       help="sessions that change intent mid-way, e.g. know -> buy (default 0.1)")
    knobs.add_argument("--dup-share", type=_share, default=0.007, metavar="X",
                       help="events delivered twice, identical line right after (default 0.007)")
    knobs.add_argument("--no-session-id-share", type=_share, default=0.3, metavar="X",
                       help="sessions whose events carry no session_id (default 0.3)")
    p.add_argument("--quiet", "-q", action="store_true", help="no summary, no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tools.simulate import PROFILES, Options, generate, get_profile, write

    if args.list_profiles:
        for name, prof in PROFILES.items():
            print(f"{name:16s} {prof.description}")
        return 0
    if not args.profile:
        raise CLIError("--profile NAME is required (see --list-profiles)")
    try:
        profile = get_profile(args.profile)
    except KeyError as exc:
        raise CLIError(exc.args[0]) from None
    if args.sessions < 1:
        raise CLIError(f"--sessions must be at least 1, got {args.sessions}")
    if args.out is None and not args.kafka:
        raise CLIError("nothing to do: give --out DIR and/or --kafka")
    if args.bad_share >= 1.0:
        raise CLIError("--bad-share must be below 1")
    if args.hours is not None and args.hours <= 0:
        raise CLIError(f"--hours must be positive, got {args.hours}")
    if args.rate is not None and args.rate <= 0:
        raise CLIError(f"--rate must be positive, got {args.rate}")
    if args.start is not None:
        from schemas.timefmt import parse_ts

        try:
            parse_ts(args.start)
        except ValueError as exc:
            raise CLIError(f"--start {args.start!r}: {exc}") from None
    opts = Options(profile=profile.name, sessions=args.sessions, seed=args.seed, start=args.start, hours=args.hours,
                   opt_out_share=args.opt_out_share, analytics_off_share=args.analytics_off_share,
                   feedback_share=args.feedback_share, bad_share=args.bad_share, shift_share=args.shift_share,
                   dup_share=args.dup_share, no_session_id_share=args.no_session_id_share, profiles=args.profiles)
    began = time.perf_counter()
    scn = generate(opts, profile)
    took = time.perf_counter() - began
    m = scn.meta
    if args.out is not None:
        try:
            write(scn, args.out)
        except OSError as exc:
            raise CLIError(f"cannot write the scenario to {args.out}: {exc.strerror or exc}") from None
    if not args.quiet:
        where = f" to {args.out}" if args.out is not None else ""
        print(f"{profile.name}: {m['sessions']:,} sessions of {m['users']:,} users, {m['lines']:,} lines "
              f"({m['n_bad_lines']} bad, {m['duplicates']['count']} duplicates, {m['feedback']} feedback) "
              f"generated in {took:.2f} s{where}", file=sys.stderr)
        if "contacts" in m:
            c = m["contacts"]
            print(f"  --profiles: {c['events']:,} contacts ({c['inbound']:,} inbound) of {c['users_with_contacts']:,} "
                  f"users, {c['cue_events']} cue events, {c['sentiment_feedback']} sentiment and "
                  f"{c['outcome_feedback']} outcome feedback", file=sys.stderr)
    if args.kafka:
        _produce(scn.lines, args.bootstrap, args.rate, args.quiet)
    return 0


def _produce(lines: list[bytes], bootstrap: str | None, rate: float | None, quiet: bool) -> None:
    from config import get_settings
    from tools.feed import produce, records_from_lines

    settings = get_settings()
    bootstrap = bootstrap or settings.kafka_bootstrap
    records = records_from_lines(lines)
    try:
        if quiet:
            sent = asyncio.run(produce(bootstrap, records, settings.topic_prefix, rate))
        else:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            console = Console(stderr=True)
            with Progress(TextColumn("[bold]producing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          TimeRemainingColumn(), console=console, transient=False) as bar:
                task = bar.add_task("produce", total=len(records))
                sent = asyncio.run(produce(bootstrap, records, settings.topic_prefix, rate,
                                           progress=lambda n: bar.advance(task, n)))
    except Exception as exc:  # noqa: BLE001 - any broker failure is the user's to fix, not a traceback
        raise CLIError(f"cannot produce to Kafka at {bootstrap}: {type(exc).__name__}: {exc}") from None
    if not quiet:
        print(f"produced {sent:,} messages to {bootstrap} (prefix {settings.topic_prefix!r})", file=sys.stderr)
