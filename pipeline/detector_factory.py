"""Build the core the way both drivers need it: detector, decision settings, actions."""

from __future__ import annotations

from pathlib import Path

import orjson

from detectors.rules import RuleDetector
from pipeline.config import Settings
from pipeline.core import Core
from pipeline.decide import DEFAULT_ACTIONS, DecisionConfig
from schemas.outputs import NextBestAction


def build_detector(state_dir: Path | None = None):
    """The detector for a worker or a replay; ``state_dir`` holds its checkpoints."""
    return RuleDetector()


def decision_config(settings: Settings) -> DecisionConfig:
    actions = dict(DEFAULT_ACTIONS)
    if settings.actions_file is not None:
        try:
            table = orjson.loads(Path(settings.actions_file).read_bytes())
            actions.update({m: NextBestAction.model_validate(a) for m, a in table.items() if m in actions})
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read MOMENTS_ACTIONS_FILE {settings.actions_file}: {exc}") from exc
    return DecisionConfig(threshold=settings.threshold, switch_threshold=settings.switch_threshold,
                          stable_events=settings.stable_events, max_per_user_hour=settings.max_moments_per_hour,
                          actions=actions)


def build_core(settings: Settings, state_dir: Path | None = None) -> Core:
    """The processing core with the configured detector and decision rules."""
    return Core(build_detector(state_dir), config=decision_config(settings))
