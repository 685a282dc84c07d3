"""``micromoments serve`` without Kafka: the store seeded directly. API, auth, consent, erasure,
limits, caps, metrics and logs. (tests/test_serve_kafka.py follows a real profiles topic.)"""

from __future__ import annotations

import logging

import orjson
import pytest
from fastapi.testclient import TestClient

from actions.catalogue import Catalogue
from serving import keys as keys_module
from serving.app import ServeApp
from serving.keys import KeyFile
from serving.store import ProfileStore

USER = "u-4711-secret"


def profile(user_id: str = USER, version: int = 3, level: str = "green", moment: dict | None = None,
            personalization: bool = True, interests: tuple[str, ...] = ("drills",), lang: str = "en") -> dict:
    return {"user_id": user_id, "updated_at": "2026-07-01T10:00:00.000Z", "version": version, "moment": moment,
            "sentiment": None,
            "criticality": {"level": level, "score": {"green": 0.05, "amber": 0.3, "red": 0.8}[level],
                            "reasons": ["looked for cancellation (2x)"] if level != "green" else []},
            "interests": [{"topic": t, "weight": 1.0, "evidence": 3} for t in interests],
            "next_best_action": {}, "consent": {"personalization": personalization, "analytics": True},
            "explanation": "Green (0.05).", "lang": lang}


@pytest.fixture
def serve(tmp_path, monkeypatch):
    monkeypatch.setattr(keys_module, "RELOAD_EVERY_S", 0.0)
    keys = KeyFile(tmp_path / "keys.json")
    app = ServeApp(store=ProfileStore(tmp_path / "store.sqlite"), keys=keys, catalogue=Catalogue.load(),
                   bootstrap=None, topic="profiles", rate_limit=1000, rate_burst=1000)
    app.key = keys.create("desk")
    app.store.apply([(USER, orjson.dumps(profile()))], {0: 1})
    with TestClient(app.asgi) as client:
        app.client = client
        yield app


VALID = object()


def get(app, path: str, key=VALID, **kw):
    key = app.key if key is VALID else key
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return app.client.get(path, headers=headers, **kw)


def test_openapi_describes_the_api_with_bearer_auth(serve):
    doc = serve.client.get("/openapi.json").json()
    assert {"/v1/profiles/{user_id}", "/v1/profiles/{user_id}/next-best-action", "/health", "/metrics",
            "/desk/{user_id}"} <= set(doc["paths"])
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "Profile" in doc["components"]["schemas"] and "ActionAnswer" in doc["components"]["schemas"]


def test_no_valid_key_no_data(serve):
    for key in (None, "", "mm_wrong", serve.key + "x", serve.key[:-1]):
        r = get(serve, f"/v1/profiles/{USER}", key=key)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer" and USER not in r.text
    r = serve.client.get(f"/v1/profiles/{USER}", headers={"Authorization": f"Basic {serve.key}"})
    assert r.status_code == 401
    assert get(serve, f"/v1/profiles/{USER}").json()["user_id"] == USER


def test_keys_rotate_without_a_restart(serve):
    new = serve.keys.create("desk-2026")
    assert get(serve, f"/v1/profiles/{USER}", key=new).status_code == 200
    serve.keys.revoke("desk")
    assert get(serve, f"/v1/profiles/{USER}").status_code == 401
    assert get(serve, f"/v1/profiles/{USER}", key=new).status_code == 200
    stored = (serve.keys.path).read_text()
    assert new not in stored and serve.key not in stored  # only hashes
    assert oct(serve.keys.path.stat().st_mode & 0o777) == "0o600"


def test_consent_only_and_erasure(serve):
    # a record that still carries personal parts is cut to consent (the contract's rule, also here)
    serve.store.apply([("u2", orjson.dumps(profile("u2", personalization=False)))], {0: 2})
    body = get(serve, "/v1/profiles/u2").json()
    assert set(body) == {"user_id", "updated_at", "version", "consent"} and body["consent"]["personalization"] is False
    nba = get(serve, "/v1/profiles/u2/next-best-action", params={"channel": "web"}).json()
    assert nba["action"] is None and "no personalization consent" in nba["reason"]
    serve.store.apply([(USER, None)], {0: 3})  # tombstone: erased
    r = get(serve, f"/v1/profiles/{USER}")
    assert r.status_code == 404 and USER not in r.text
    assert get(serve, f"/v1/profiles/{USER}/next-best-action", params={"channel": "web"}).status_code == 404
    assert get(serve, "/v1/profiles/nobody").status_code == 404


def test_next_best_action_per_channel_with_caps_and_reasons(serve):
    red = profile("u-red", level="red", moment={"moment": "buy", "confidence": 0.9, "session_id": "s",
                                                 "since": "2026-07-01T09:59:00.000Z"}, lang="de")
    venue = {"venue_id": "v1", "name": "Köln-Ehrenfeld", "distance_m": 312.0, "open_now": True, "wait_minutes": 5.0,
             "free_capacity": None, "stock": {"p1": 2}}
    go = profile("u-go", moment={"moment": "go", "confidence": 0.88, "session_id": "s2",
                                 "since": "2026-07-01T09:59:00.000Z", "venue": venue})
    serve.store.apply([("u-red", orjson.dumps(red)), ("u-go", orjson.dumps(go))], {0: 5})
    a = get(serve, "/v1/profiles/u-red/next-best-action", params={"channel": "callcenter"}).json()
    assert a["action"] == "retention_script" and a["reason"].startswith("red: looked for cancellation")
    assert "Kein Verkaufsangebot" in a["text"]
    t = get(serve, "/v1/profiles/u-go/next-best-action", params={"channel": "terminal"}).json()
    assert t["action"] == "route_to_store" and "Köln-Ehrenfeld is open, 300 m away" in t["text"]
    assert "wait about 5 min" in t["text"] and t["version"] == 3
    # the newsletter's cap (once a week): the second ask gets the next action and says why
    peek = get(serve, f"/v1/profiles/{USER}/next-best-action", params={"channel": "email", "peek": "true"}).json()
    first = get(serve, f"/v1/profiles/{USER}/next-best-action", params={"channel": "email"}).json()
    second = get(serve, f"/v1/profiles/{USER}/next-best-action", params={"channel": "email"}).json()
    assert first["action"] == "newsletter_interests" and first["capped"] == []
    assert peek["action"] == "newsletter_interests"  # looking does not count
    assert second["action"] == "newsletter_default" and second["capped"] == ["newsletter_interests"]
    assert get(serve, f"/v1/profiles/{USER}/next-best-action", params={"channel": "fax"}).status_code == 422


def test_limits_size_and_rate(serve, tmp_path):
    long_id = "x" * 300
    assert get(serve, f"/v1/profiles/{long_id}").status_code == 422
    assert get(serve, "/v1/profiles/" + "y" * 3000).status_code == 414
    r = serve.client.request("GET", f"/v1/profiles/{USER}", content=b"x" * 20_000,
                             headers={"Authorization": f"Bearer {serve.key}"})
    assert r.status_code == 413
    tight = ServeApp(store=serve.store, keys=serve.keys, catalogue=serve.catalogue, bootstrap=None, topic="profiles",
                     rate_limit=0.5, rate_burst=2)
    with TestClient(tight.asgi) as client:
        codes = [client.get(f"/v1/profiles/{USER}", headers={"Authorization": f"Bearer {serve.key}"}).status_code
                 for _ in range(4)]
    assert codes[:2] == [200, 200] and codes[2:] == [429, 429]


def test_metrics_by_route_and_no_user_data_in_logs(serve, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(3):
        get(serve, f"/v1/profiles/{USER}")
    get(serve, f"/v1/profiles/{USER}", key="bad")
    text = serve.client.get("/metrics").text
    assert 'micromoments_serve_requests_total{route="/v1/profiles/{user_id}",status="200"} 3.0' in text
    assert 'status="401"' in text and "micromoments_serve_request_seconds_bucket" in text
    assert "micromoments_serve_profiles 1.0" in text and USER not in text
    server_logs = [r for r in caplog.records if not r.name.startswith("httpx")]  # httpx: the test client
    assert all(USER not in r.getMessage() for r in server_logs)


def test_long_poll_answers_when_the_profile_changes(serve):
    import threading
    import time

    def later():
        time.sleep(0.3)
        serve.store.apply([(USER, orjson.dumps(profile(version=4)))], {0: 9})
        serve.client.portal.call(serve._changed, [USER])  # what the follower does after a batch

    threading.Thread(target=later).start()
    t0 = time.monotonic()
    body = get(serve, f"/v1/profiles/{USER}", params={"after_version": 3, "wait": 5}).json()
    assert body["version"] == 4 and 0.25 < time.monotonic() - t0 < 3.0
    t0 = time.monotonic()  # nothing newer: answers with the current one when the wait is over
    assert get(serve, f"/v1/profiles/{USER}", params={"after_version": 4, "wait": 0.3}).json()["version"] == 4
    assert time.monotonic() - t0 >= 0.3


def test_the_desk_page_holds_no_customer_data(serve):
    r = serve.client.get(f"/desk/{USER}")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "looked for cancellation" not in r.text and "drills" not in r.text
    assert r.headers["cache-control"] == "no-store"


def test_the_answer_names_the_message_that_caused_the_profile(serve):
    serve.store.apply([(USER, orjson.dumps(profile(version=5)), "c-991")], {0: 7})
    r = get(serve, f"/v1/profiles/{USER}")
    assert r.json()["version"] == 5 and r.headers["mm-event-id"] == "c-991"
    serve.store.apply([(USER, orjson.dumps(profile(version=6)))], {0: 8})  # the expiry timer's: no cause
    assert "mm-event-id" not in get(serve, f"/v1/profiles/{USER}").headers


def test_the_fast_path_answers_exactly_as_the_fastapi_handler(serve):
    """Without query parameters the lookup bypasses FastAPI's routing (serving.app.FastPath); with one
    FastAPI answers. Both must say the same thing, byte for byte."""
    serve.store.apply([(USER, orjson.dumps(profile(version=5)), "c-1")], {0: 7})
    for user, key in ((USER, VALID), ("nobody", VALID), (USER, None), (USER, "mm_wrong"), ("ü ser", VALID)):
        fast = get(serve, f"/v1/profiles/{user}", key=key)
        slow = get(serve, f"/v1/profiles/{user}", key=key, params={"wait": 0})
        assert (fast.status_code, fast.content) == (slow.status_code, slow.content), user
        for header in ("content-type", "www-authenticate", "mm-event-id"):
            assert fast.headers.get(header) == slow.headers.get(header), header
    basic = serve.client.get(f"/v1/profiles/{USER}", headers={"Authorization": f"Basic {serve.key}"})
    assert basic.status_code == 401


def test_not_ready_until_caught_up_and_an_erasure_forgets_the_caps(tmp_path):
    """A replica whose broker cannot be reached says 503 with the reason (a load balancer keeps it
    out) and still answers what its store holds; an erased user's frequency caps are forgotten."""
    keys = KeyFile(tmp_path / "keys.json")
    app = ServeApp(store=ProfileStore(tmp_path / "s.sqlite"), keys=keys, catalogue=Catalogue.load(),
                   bootstrap="127.0.0.1:1", topic="profiles")
    with TestClient(app.asgi) as client:
        r = client.get("/health")
        assert r.status_code == 503 and r.json()["status"] == "catching_up"
    app.caps.record(USER, "email", "newsletter_interests")
    app.caps.record("other", "email", "newsletter_interests")
    app._changed([USER, "other"], erased=[USER])
    assert not app.caps.capped(USER, "email", "newsletter_interests", 1, 24)
    assert app.caps.capped("other", "email", "newsletter_interests", 1, 24)


def test_keys_command_line(tmp_path, capsys):
    from micromoments.cli import main

    f = str(tmp_path / "k.json")
    assert main(["keys", "--file", f, "create", "branch-koeln"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("mm_") and len(key) > 40 and KeyFile(tmp_path / "k.json").check(key) == "branch-koeln"
    assert main(["keys", "--file", f, "list"]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("branch-koeln\t") and key not in listed
    assert main(["keys", "--file", f, "create", "branch-koeln"]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["keys", "--file", f, "create", "no spaces"]) == 2
    assert main(["keys", "--file", f, "revoke", "branch-koeln"]) == 0
    assert main(["keys", "--file", f, "revoke", "branch-koeln"]) == 2
    assert "no key named" in capsys.readouterr().err
    (tmp_path / "broken.json").write_text("[1, 2]")
    assert main(["keys", "--file", str(tmp_path / "broken.json"), "list"]) == 2
    assert "is not a keys file" in capsys.readouterr().err
