"""The one adapter over Faust's and aiokafka's private API fails loudly when they lack something."""

from __future__ import annotations

import pytest
from faust.transport.drivers import aiokafka as faust_aiokafka

from pipeline import faust_adapter


def test_the_installed_faust_has_everything_the_adapter_uses():
    assert faust_adapter.missing() == []
    faust_adapter.check()


def test_a_missing_private_method_is_named(monkeypatch):
    monkeypatch.setattr(faust_adapter, "REQUIRED",
                        (*faust_adapter.REQUIRED, (faust_aiokafka.Consumer, "_drain_messages_v2")))
    with pytest.raises(RuntimeError, match=r"faust.transport.drivers.aiokafka.Consumer._drain_messages_v2"):
        faust_adapter.check()


def test_an_instance_attribute_is_found_in_the_constructors():
    assert faust_adapter._has(faust_aiokafka.Consumer, "_committed_offset")  # set in an __init__
    assert not faust_adapter._has(faust_aiokafka.Consumer, "_committed_offsets_typo")
