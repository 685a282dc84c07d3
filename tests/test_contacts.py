"""Customer contacts (``events.contact``) and the feedback kinds ``sentiment``/``outcome`` in the
pipeline (../shared/PROFILES.md): validated like every input, bad ones to the DLQ with a reason,
deduplicated, consent applied; a contact never joins or opens a session and no label of another
kind teaches the moment detector."""

from __future__ import annotations

import json

import orjson
import pytest

from config import get_settings
from pipeline.core import Core
from pipeline.detector_factory import build_core
from pipeline.replay import Replayer
from schemas import ContactEvent, Feedback, Moment, decode
from tests.shared_sample import require_sample
from tests.test_core import T0, Recorder, ev, run

CONTACT = {"event_id": "c1", "user_id": "u1", "ts": T0, "medium": "email", "direction": "inbound",
           "text": "Nicht zufrieden: die Lieferung kam zu spät."}


def test_a_contact_is_validated_against_the_contract():
    msg = decode("events.contact", orjson.dumps({**CONTACT, "lang": "de-AT", "ticket_id": "T-1", "subject": "Re"}))
    assert isinstance(msg, ContactEvent) and msg.lang == "de-AT" and msg.direction == "inbound"


@pytest.mark.parametrize("change, reason, where", [
    ({"text": None}, "missing_field", "text"),
    ({"text": ""}, "invalid_field", "text"),
    ({"text": "x" * 4001}, "invalid_field", "text"),
    ({"medium": "fax"}, "invalid_field", "medium"),
    ({"direction": "sideways"}, "invalid_field", "direction"),
    ({"medium": None}, "missing_field", "medium"),
    ({"lang": "not a tag"}, "invalid_field", "lang"),
    ({"subject": "s" * 257}, "invalid_field", "subject"),
])
def test_bad_contacts_are_rejected_with_a_reason(change, reason, where):
    obj = {k: v for k, v in {**CONTACT, **change}.items() if v is not None}
    rej = decode("events.contact", orjson.dumps(obj))
    assert rej.reason == reason and where in rej.detail, rej


@pytest.mark.parametrize("fields, reason", [
    ({"moment": "buy"}, None),
    ({}, "missing_field"),  # kind moment (the default) needs a moment
    ({"kind": "sentiment", "contact_event_id": "c1", "sentiment": "negative"}, None),
    ({"kind": "sentiment", "sentiment": "negative"}, "missing_field"),
    ({"kind": "sentiment", "contact_event_id": "c1", "sentiment": "angry"}, "invalid_field"),
    ({"kind": "outcome", "outcome": "churned"}, None),
    ({"kind": "outcome"}, "missing_field"),
    ({"kind": "mood", "moment": "buy"}, "invalid_field"),
])
def test_feedback_kinds_need_their_own_fields(fields, reason):
    msg = decode("feedback", orjson.dumps({"event_id": "f1", "user_id": "u1", "ts": T0, **fields}))
    if reason is None:
        assert isinstance(msg, Feedback) and msg.kind == fields.get("kind", "moment")
    else:
        assert msg.reason == reason, msg


def test_contacts_neither_open_nor_join_sessions():
    core = Core(Recorder())
    state, outs = run(core, [
        ev("events.search", 1, T0),
        ev("events.contact", 2, T0 + 60_000, medium="chat", direction="inbound", text="where is my order?"),
        ev("events.search", 3, T0 + 120_000),
    ])
    assert [o.status for o in outs] == ["processed"] * 3
    assert len(state.sessions) == 1 and next(iter(state.sessions.values())).features.n_events == 2
    assert outs[1].moments == [] and outs[1].event_row is None


def test_a_contact_carries_consent_and_other_labels_never_teach_the_moment_model():
    det = Recorder([{"know": 0.05, "go": 0.05, "do": 0.05, "buy": 0.85}] * 4)
    core = Core(det)
    _, outs = run(core, [
        ev("events.search", 1, T0),
        ev("feedback", 2, T0 + 1000, kind="sentiment", contact_event_id="c9", sentiment="negative"),
        ev("feedback", 3, T0 + 2000, kind="outcome", outcome="churned"),
        ev("feedback", 4, T0 + 3000, moment="buy"),
        ev("events.contact", 5, T0 + 4000, medium="form", direction="inbound", text="delete my data",
           consent={"personalization": False}),
        ev("events.search", 6, T0 + 5000),
        ev("events.search", 7, T0 + 6000),
    ])
    # the sentiment label names no contact the profile kept; the outcome teaches the traffic light only
    assert [o.learned for o in outs[1:4]] == [False, True, True] and len(det.learned) == 1
    assert [len(o.moments) for o in outs[5:]] == [0, 0]  # consent withdrawn by the contact: no moments


def test_the_profiles_sample_replays_with_every_bad_line_and_only_those_in_the_dlq():
    folder = require_sample("electronics-en-profiles")
    lines = [ln for ln in (folder / "events.jsonl").read_bytes().split(b"\n") if ln.strip()]
    meta = json.loads((folder / "meta.json").read_bytes())
    out = list(Replayer(build_core(get_settings())).feed(lines))
    dlq = {o.line: o for o in out if not isinstance(o, Moment)}
    bad = {b["line"]: b["kind"] for b in meta["bad_lines"]}
    assert set(dlq) == set(bad)
    contact_kinds = {line: kind for line, kind in bad.items() if kind.startswith("contact_")}
    assert contact_kinds and all(dlq[line].reason in ("missing_field", "invalid_field") for line in contact_kinds)
    assert sum(isinstance(o, Moment) for o in out) > 100
