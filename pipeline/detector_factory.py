"""Build the core the way both drivers need it: detector, decision settings, actions."""

from __future__ import annotations

from pathlib import Path

from actions.catalogue import Catalogue, CatalogueError
from config import CLIError, Settings
from detectors import checkpoint
from detectors.online import MODEL_KINDS, MomentDetector
from detectors.rules import RuleDetector
from pipeline.core import Core
from pipeline.decide import DecisionConfig


def build_detector(settings: Settings, state_dir: Path | None = None):
    """The detector for a worker or a replay: the latest checkpoint in ``state_dir`` if there
    is one, else the shipped model (``MOMENTS_MODEL_START=pretrained``) or a cold one."""
    if settings.model == "rules":
        return RuleDetector()
    if settings.model not in MODEL_KINDS:
        raise ValueError(f"MOMENTS_MODEL must be rules or one of {', '.join(MODEL_KINDS)}, not {settings.model!r}")
    if state_dir is not None:
        found = checkpoint.load(state_dir)
        if found is not None:
            return found
    if settings.model_start == "pretrained" and settings.model == MODEL_KINDS[0]:
        shipped = checkpoint.pretrained()
        if shipped is not None:
            return shipped
    return MomentDetector(kind=settings.model)


def decision_config(settings: Settings) -> DecisionConfig:
    try:
        catalogue = Catalogue.load(settings.actions_file)
    except CatalogueError as exc:
        raise CLIError(f"MOMENTS_ACTIONS_FILE: {exc}") from exc
    return DecisionConfig(threshold=settings.threshold, first_event_threshold=settings.first_event_threshold,
                          switch_threshold=settings.switch_threshold, stable_events=settings.stable_events,
                          switch_now_threshold=settings.switch_now_threshold,
                          max_per_user_hour=settings.max_moments_per_hour, catalogue=catalogue)


def build_core(settings: Settings, state_dir: Path | None = None, learning=None) -> Core:
    """The processing core with the configured detector and decision rules (``learning``: where
    its examples go, ``pipeline.learning``; default: learned at once)."""
    return Core(build_detector(settings, state_dir), config=decision_config(settings), learning=learning)
