"""Do two versions replay the same? ``python -m tools.compare_replays REV [--sessions N]``

Replays the shared sample (where ``../shared`` exists) and two simulated scenarios (baumarkt-de and
fashion-en, fixed seeds) with the source tree of git revision ``REV`` and with this tree, and
compares the moments written: the same moments in the same order with the same content, apart from
the wall-clock fields ``detected_at`` and ``latency_ms``. Exit code 1 if any input differs. Used to
show that a change left behaviour alone (refactorings, hot-path work).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "samples" / "electronics-en" / "events.jsonl"
SCENARIOS = (("baumarkt-de", 11), ("fashion-en", 12))
WALL_CLOCK = ("detected_at", "latency_ms")


def _replay(tree: Path, events: Path, out: Path, data_dir: Path) -> list[dict]:
    """The moments ``tree``'s replay writes for ``events`` (wall-clock fields dropped)."""
    command = "micromoments" if (tree / "micromoments" / "__main__.py").exists() else "pipeline"
    res = subprocess.run([sys.executable, "-m", command, "replay", "-i", str(events), "-o", str(out), "-q"],
                         cwd=tree, capture_output=True, text=True, env={**os.environ, "MOMENTS_DATA_DIR": str(data_dir)})
    if res.returncode != 0:
        raise RuntimeError(f"replay in {tree} failed:\n{res.stderr[-2000:]}")
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    return [{k: v for k, v in m.items() if k not in WALL_CLOCK} for m in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rev", help="git revision to compare with (e.g. a commit before the change)")
    parser.add_argument("--sessions", type=int, default=2000, help="sessions per simulated scenario")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mmcmp-") as tmp_name:
        tmp = Path(tmp_name)
        old = tmp / "old"
        old.mkdir()
        subprocess.run(f"git -C {ROOT} archive {args.rev} | tar -x -C {old}", shell=True, check=True)
        for so in (ROOT / "detectors").glob("_hotloops*.so"):  # the same compiled loops for both
            (old / "detectors" / so.name).write_bytes(so.read_bytes())
        inputs = {"shared sample": SAMPLE} if SAMPLE.exists() else {}
        for profile, seed in SCENARIOS:
            out = tmp / profile
            subprocess.run([sys.executable, "-m", "micromoments", "simulate", "--profile", profile, "--sessions",
                            str(args.sessions), "--seed", str(seed), "--out", str(out)],
                           cwd=ROOT, check=True, capture_output=True)
            inputs[f"{profile} ({args.sessions} sessions, seed {seed})"] = out / "events.jsonl"
        same_all = True
        for i, (name, events) in enumerate(inputs.items()):
            before = _replay(old, events, tmp / f"{i}-old.jsonl", tmp / "data-old")
            after = _replay(ROOT, events, tmp / f"{i}-new.jsonl", tmp / "data-new")
            same = before == after
            same_all &= same
            print(f"{name}: {args.rev} wrote {len(before)} moments, this tree {len(after)}; identical: "
                  f"{'yes' if same else 'NO'}")
            if not same:
                first = next((a, b) for a, b in zip(before, after) if a != b) if len(before) == len(after) else None
                print(f"  first difference: {first}" if first else "  the number of moments differs")
    return 0 if same_all else 1


if __name__ == "__main__":
    sys.exit(main())
