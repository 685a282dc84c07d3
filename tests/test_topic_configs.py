"""The topics the pipeline creates carry a documented retention (compacted ones a bound on how long
a superseded or erased record stays), and a check says where existing topics differ."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from config import Settings
from micromoments.cli import main
from pipeline.topics import config_drift, ensure_topics
from tests.kafka_helpers import set_topic_config

pytestmark = pytest.mark.kafka


def test_topics_are_created_with_retention_and_drift_is_reported(kafka_bootstrap, monkeypatch, capsys):
    from config import get_settings

    prefix = f"cfg{uuid.uuid4().hex[:6]}."
    settings = Settings(kafka_bootstrap=kafka_bootstrap, topic_prefix=prefix, partitions=1, topic_retention_hours=48)
    asyncio.run(ensure_topics(settings))
    assert asyncio.run(config_drift(settings)) == []
    assert asyncio.run(config_drift(settings.model_copy(update={"topic_retention_hours": 24})))  # 48 h != 24 h
    asyncio.run(set_topic_config(kafka_bootstrap, prefix + "moments.buy", {"retention.ms": "1000"}))
    asyncio.run(set_topic_config(kafka_bootstrap, prefix + "profiles", {"cleanup.policy": "delete"}))
    drift = asyncio.run(config_drift(settings))
    assert f"{prefix}moments.buy: retention.ms is 1000, the pipeline would set 172800000" in drift
    assert f"{prefix}profiles: cleanup.policy is delete, the pipeline would set compact" in drift
    monkeypatch.setenv("MOMENTS_KAFKA_BOOTSTRAP", kafka_bootstrap)
    monkeypatch.setenv("MOMENTS_TOPIC_PREFIX", prefix)
    monkeypatch.setenv("MOMENTS_TOPIC_RETENTION_HOURS", "48")
    get_settings.cache_clear()
    try:
        assert main(["topics", "check"]) == 1
        out = capsys.readouterr().out
        assert "differs: " + f"{prefix}moments.buy: retention.ms is 1000" in out and "setting(s) differ" in out
    finally:
        get_settings.cache_clear()
