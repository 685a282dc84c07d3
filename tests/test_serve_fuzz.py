"""``micromoments serve`` fuzzed from its own OpenAPI document (schemathesis, property-based):
whatever the parameters, no 5xx and no crash; without a valid key no customer data, ever."""

from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
import schemathesis
from hypothesis import HealthCheck, settings

from actions.catalogue import Catalogue
from serving.app import ServeApp
from serving.keys import KeyFile
from serving.store import ProfileStore
from tests.test_serve import profile

_DIR = Path(tempfile.mkdtemp(prefix="mm-fuzz-"))
_KEYS = KeyFile(_DIR / "keys.json")
KEY = _KEYS.create("fuzz")
APP = ServeApp(store=ProfileStore(_DIR / "store.sqlite"), keys=_KEYS, catalogue=Catalogue.load(), bootstrap=None,
               topic="profiles")
# ids the generator likes to try, so that the answers with data are fuzzed too
APP.store.apply([(u, orjson.dumps(profile(u, level=level))) for u, level in
                 (("0", "red"), ("00", "amber"), ("a", "green"), ("A", "green"))], {0: 4})
schema = schemathesis.openapi.from_asgi("/openapi.json", APP.asgi)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def _short_wait(case) -> None:
    if case.query and isinstance(case.query.get("wait"), int | float):
        case.query["wait"] = min(case.query["wait"], 0.05)  # the long poll may wait 30 s: not here


@schema.parametrize()
@FUZZ
def test_no_server_error_with_a_key(case):
    _short_wait(case)
    response = case.call(headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code < 500, (response.status_code, response.text[:300])


@schema.parametrize()
@FUZZ
def test_no_data_without_a_key(case):
    _short_wait(case)
    for headers in ({}, {"Authorization": "Bearer mm_not-a-key"}, {"Authorization": f"Basic {KEY}"}):
        response = case.call(headers=headers)
        assert response.status_code < 500
        if case.path.startswith("/v1/"):
            assert response.status_code != 200 and "criticality" not in response.text, response.text[:300]
