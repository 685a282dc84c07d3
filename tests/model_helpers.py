"""Checks of the shared model on a running deployment: a worker's model section of /stats/, a
version exported from mm.model, and replaying a version frozen against the moments it decided."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.request

from config import Settings, get_settings
from micromoments.model_cli import _read
from pipeline.detector_factory import build_core
from pipeline.learning import FrozenLearning
from pipeline.replay import Replayer
from schemas import Moment
from tests.worker_helpers import Worker, WorkerEnv

SHARED = {"MOMENTS_MODEL_SYNC": "shared"}


def model_of(worker: Worker) -> dict:
    """The ``model`` section of the worker's /stats/ (``shared``: version, learner, switches)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{worker.port}/stats/", timeout=2) as r:
        return json.loads(r.read())["model"]


def export_version(env: WorkerEnv, version: str):
    """``micromoments model export --version`` of ``env``'s deployment, in process: (models, meta)."""
    saved = {k: os.environ.get(k) for k in ("MOMENTS_KAFKA_BOOTSTRAP", "MOMENTS_TOPIC_PREFIX")}
    os.environ.update({"MOMENTS_KAFKA_BOOTSTRAP": env.bootstrap, "MOMENTS_TOPIC_PREFIX": env.prefix})
    get_settings.cache_clear()
    try:
        return asyncio.run(_read(None, version))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()


def replay_scores(lines: list[bytes], exported, event_ids: set[str]) -> dict[str, dict[str, float]]:
    """The scores replay computes for ``event_ids`` with a frozen model."""
    core = build_core(Settings())
    core.use_models(exported)
    core.set_learning(FrozenLearning())
    scores: dict[str, dict[str, float]] = {}

    def observe(event, state, p) -> None:
        if event.event_id in event_ids:
            scores[event.event_id] = {m: round(v, 6) for m, v in p.items()}

    core.observe = observe
    list(Replayer(core).feed(lines))
    return scores


def by_version(moments: list[Moment]) -> dict[str, list[Moment]]:
    out: dict[str, list[Moment]] = {}
    for m in moments:
        out.setdefault(m.model.version, []).append(m)
    return out


def assert_versions_replay(lines: list[bytes], env: WorkerEnv, moments: list[Moment], top: int = 3) -> int:
    """The ``top`` versions that decided the most moments, exported from mm.model and replayed
    frozen over ``lines``, give those moments' scores. Returns how many moments were checked."""
    versions = by_version(moments)
    checked = 0
    for version in sorted(versions, key=lambda v: -len(versions[v]))[:top]:
        exported, meta = export_version(env, version)
        assert meta["version"] == version
        got = replay_scores(lines, exported, {m.event_id for m in versions[version]})
        for m in versions[version]:
            assert got[m.event_id] == m.scores, (version, m.event_id)
            checked += 1
    return checked
