"""Which detector the pipeline runs (the detectors issue adds River models and checkpoints)."""

from __future__ import annotations

from pathlib import Path

from detectors.rules import RuleDetector


def build_detector(state_dir: Path | None = None):
    """The detector for a worker or a replay; ``state_dir`` is reserved for checkpoints."""
    return RuleDetector()
