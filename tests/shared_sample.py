"""Access to the contract's sample scenario in ../shared (present in CI, absent in a lone clone)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("MOMENTS_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
SAMPLE = SHARED / "samples" / "electronics-en"


def require_sample(name: str = "electronics-en") -> Path:
    """The sample folder; skips the test where ../shared does not exist (never in CI)."""
    folder = SHARED / "samples" / name
    if not (folder / "events.jsonl").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the shared-sample tests, but {folder} is missing")
        pytest.skip(f"shared sample not found at {folder} (clone without ../shared)")
    return folder


def sample_lines() -> list[bytes]:
    raw = (require_sample() / "events.jsonl").read_bytes().split(b"\n")
    return raw[:-1] if raw and raw[-1] == b"" else raw


def sample_meta() -> dict:
    return json.loads((require_sample() / "meta.json").read_bytes())
