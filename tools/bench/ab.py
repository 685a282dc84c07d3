"""A/B of worker versions: the same preloaded records read by each version's worker in turn.

    git archive <commit> | tar -x -C /tmp/before        # a source tree per version
    python -m tools.bench.ab --events 100000 --repeats 3 /tmp/before .

Each run starts the version's worker (``python -m micromoments worker``, or ``python -m pipeline
worker`` in trees from before the command line moved) with its tree as working directory (so its
own packages are imported), in a fresh consumer group over the same preloaded topics, and
measures events/s from the first to the last record accounted for on ``/stats/``; the versions
alternate, so a busy spell on the machine hits both. The broker is ``MOMENTS_KAFKA_BOOTSTRAP``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from config import get_settings
from tools.bench.procs import WorkerProc, accounted, wait_until
from tools.bench.suite import _preload, scenario_records


def run_once(src: Path, bootstrap: str, prefix: str, partitions: int, total: int) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory(prefix="mmab-") as tmp:
        worker = WorkerProc(bootstrap, prefix, partitions, Path(tmp), f"ab-{uuid.uuid4().hex[:6]}")
        worker.data_dir.mkdir(parents=True, exist_ok=True)
        with open(worker.log_path, "wb") as log:
            command = "micromoments" if (src / "micromoments" / "__main__.py").exists() else "pipeline"
            worker.proc = subprocess.Popen([sys.executable, "-m", command, "worker"], cwd=src, env=worker.env,
                                           stdout=log, stderr=subprocess.STDOUT)
        try:
            first: list[tuple[float, int]] = []

            def finished():
                done, now = accounted(worker.stats()), time.perf_counter()
                if not first and done > 0:
                    first.append((now, done))
                return done >= total and (now, done)
            end, done = wait_until(finished, [worker], 1800, "every record")
            return (done - first[0][1]) / max(1e-9, end - first[0][0]), worker.stats()
        finally:
            worker.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.bench.ab", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sources", nargs="+", type=Path, help="source trees (each with pipeline/, detectors/, ...)")
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--partitions", type=int, default=1)
    p.add_argument("--profiles", action="store_true",
                   help="simulated traffic with customer messages and their labels (simulate --profiles)")
    args = p.parse_args(argv)
    settings = get_settings().model_copy(update={"partitions": args.partitions})
    records = scenario_records(args.events, profiles=args.profiles)
    prefix = f"ab{uuid.uuid4().hex[:6]}."
    asyncio.run(_preload(settings, prefix, records))
    runs: dict[Path, list[float]] = {s: [] for s in args.sources}
    for i in range(args.repeats):
        for src in args.sources:
            eps, stats = run_once(src.resolve(), settings.kafka_bootstrap, prefix, args.partitions, len(records))
            runs[src].append(eps)
            print(f"run {i + 1} {src}: {eps:,.0f} ev/s (merge_forced {stats.get('merge_forced')})", flush=True)
    for src, values in runs.items():
        print(f"{src}: median {statistics.median(values):,.0f} min {min(values):,.0f} "
              f"runs {[round(v) for v in values]}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
