"""``micromoments serve``: profiles and the next best action by user id, over HTTP (FastAPI).

``ServeApp`` builds the named parts (store, follower, keys, limits, caps, catalogue) and the
FastAPI application; nothing lives in module globals. Handlers answer from the local store with
the stored JSON bytes (no re-serialization on the hot path); the OpenAPI document still names
the response models. Contract: ``../shared/PROFILES.md`` (Serving); docs/SERVING.md.
"""

# no `from __future__ import annotations`: FastAPI reads the handlers' annotations, which name
# a dependency local to ServeApp._build
import asyncio
import contextlib
import logging
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import Depends, FastAPI, HTTPException, Query, Security
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from actions.catalogue import Catalogue
from actions.choose import Situation, choose
from config.kafka import kafka_options
from schemas.profiles import Profile, ProfileChannel
from schemas.topics import CAUSE_HEADER
from serving.follower import ProfileFollower
from serving.guard import Guard, ServeMetrics
from serving.keys import KeyFile
from serving.limits import FrequencyCaps, RateLimits
from serving.store import ProfileStore

log = logging.getLogger("micromoments.serve")
STATIC = Path(__file__).with_name("static")
MAX_WAIT_S = 30.0
UserId = Annotated[str, PathParam(min_length=1, max_length=256, description="the user id of the events")]


NO_PROFILE = b'{"detail":"no profile for this user"}'


class FastPath:
    """``GET /v1/profiles/{user_id}`` without query parameters, answered before FastAPI's routing
    and dependency injection (which cost more than the lookup itself: a third of the capacity).
    It calls the same ``ServeApp.refused`` and ``ServeApp.profile`` as the FastAPI handler, which
    answers everything else (the long poll, invalid ids) and describes the route in OpenAPI."""

    PREFIX = "/v1/profiles/"

    def __init__(self, serve: "ServeApp", app: Any) -> None:
        self.serve, self.app = serve, app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        user_id = path[len(self.PREFIX):] if scope["type"] == "http" and path.startswith(self.PREFIX) else ""
        if not user_id or "/" in user_id or len(user_id) > 256 or scope["method"] != "GET" or scope["query_string"]:
            await self.app(scope, receive, send)
            return
        key = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, credentials = value.decode("latin-1").partition(" ")
                key = credentials.strip() if scheme.lower() == "bearer" else None
        refused = self.serve.refused(key)
        if refused is not None:
            status, detail, headers = refused
            body = orjson.dumps({"detail": detail})
        else:
            status, body, headers = self.serve.profile(user_id)
        raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


class ActionAnswer(BaseModel):
    """The next best action for one user on one channel, frequency caps applied."""

    user_id: str
    channel: ProfileChannel
    action: str | None = Field(description="the catalogue's action id; null without personalization consent")
    reason: str = Field(description="why, in words (English)")
    text: str | None = Field(None, description="what to show or say, in the customer's language")
    version: int = Field(description="the profile version it was chosen from")
    capped: list[str] = Field(default_factory=list, description="better actions skipped: their frequency cap is reached")


class Health(BaseModel):
    status: Literal["ready", "catching_up"]
    lag: int = Field(description="profile records between this replica's position and the topic's end")
    keys: int = Field(description="API keys configured")
    records_read: int = Field(description="profile records read from the topic since this replica started")
    error: str | None = None


class ServeApp:
    """One replica: its store, the topic follower, keys, limits and the HTTP application."""

    def __init__(self, *, store: ProfileStore, keys: KeyFile, catalogue: Catalogue, bootstrap: str | None,
                 topic: str, rate_limit: float = 5000.0, rate_burst: float = 1000.0,
                 max_request_bytes: int = 16_384) -> None:
        self.store, self.keys, self.catalogue = store, keys, catalogue
        self.limits = RateLimits(rate_limit, rate_burst)
        self.caps = FrequencyCaps()
        self.metrics = ServeMetrics()
        self._waiters: dict[str, asyncio.Event] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.follower = ProfileFollower(
            store, topic, lambda: AIOKafkaConsumer(**kafka_options(bootstrap=bootstrap), enable_auto_commit=False,
                                                   auto_offset_reset="earliest", client_id="micromoments-serve",
                                                   fetch_max_wait_ms=50),  # a change shows within ms
            lambda: AIOKafkaAdminClient(**kafka_options(bootstrap=bootstrap), client_id="micromoments-serve"),
            on_change=self._changed) if bootstrap else None
        self.api = self._build()
        #: what uvicorn runs: size limits and metrics around the fast path around FastAPI
        self.asgi = Guard(FastPath(self, self.api), metrics=self.metrics, max_request_bytes=max_request_bytes)

    # --- the follower's side --------------------------------------------------------------------------

    def _changed(self, user_ids: list[str], erased: list[str] = ()) -> None:
        """The follower applied a batch: wake the long polls of these users; forget what was shown
        to the erased ones."""
        if self._waiters:
            for u in user_ids:
                event = self._waiters.get(u)
                if event is not None:
                    event.set()
        for u in erased:
            self.caps.forget(u)

    def changed_from_another_thread(self, user_ids: list[str], erased: list[str] = ()) -> None:
        """What the follower reports after a batch, for a store written outside the event loop."""
        self.loop.call_soon_threadsafe(self._changed, user_ids, erased)

    def ready(self) -> bool:
        return self.follower is None or self.follower.ready.is_set()

    async def _wait_for_change(self, user_id: str, after_version: int, wait: float) -> None:
        """Long poll: return when the user's profile is newer than ``after_version`` or ``wait`` passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while (self.store.version(user_id) or 0) <= after_version and loop.time() < deadline:
            event = self._waiters.setdefault(user_id, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), deadline - loop.time())
            if self._waiters.get(user_id) is event:
                del self._waiters[user_id]

    # --- HTTP ---------------------------------------------------------------------------------------

    def refused(self, key: str | None) -> tuple[int, str, dict[str, str]] | None:
        """Why a request with this bearer key gets no data (status, detail, headers), or None."""
        name = self.keys.check(key)
        if name is None:
            return 401, "a valid API key is needed: Authorization: Bearer KEY", {"WWW-Authenticate": "Bearer"}
        if not self.limits.allow(name):
            return 429, "rate limit of this API key reached", {"Retry-After": "1"}
        return None

    def _auth(self) -> Any:
        bearer = HTTPBearer(auto_error=False, description="an API key made by `micromoments keys create NAME`")

        def authorized(creds: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]) -> None:
            refused = self.refused(creds.credentials if creds is not None else None)
            if refused is not None:
                raise HTTPException(refused[0], refused[1], headers=refused[2])

        return authorized

    def _build(self) -> "FastAPI":
        @contextlib.asynccontextmanager
        async def lifespan(_: FastAPI):
            self.loop = asyncio.get_running_loop()
            task = asyncio.create_task(self.follower.run()) if self.follower is not None else None
            if not len(self.keys):
                log.warning("no API keys yet: every data request gets 401 (micromoments keys create NAME)")
            try:
                yield
            finally:
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

        api = FastAPI(title="micromoments serve", version=package_version("micromoments"), lifespan=lifespan,
                      description="Customer profiles and the next best action per channel, by user id.")
        key = Depends(self._auth())

        @api.get("/v1/profiles/{user_id}", response_model=Profile, tags=["profiles"],
                 responses={401: {"description": "no valid API key"}, 404: {"description": "no profile (or erased)"}})
        async def get_profile(user_id: UserId, _: Annotated[None, key],
                              after_version: Annotated[int | None, Query(ge=0, description=(
                                  "long poll: answer once the profile is newer than this version"))] = None,
                              wait: Annotated[float, Query(ge=0, le=MAX_WAIT_S, description=(
                                  "long poll: seconds to wait at most"))] = 0.0) -> Response:
            """The user's latest profile: consent only without personalization consent, 404 when
            unknown or erased."""
            if after_version is not None and wait > 0:
                await self._wait_for_change(user_id, after_version, wait)
            status, body, headers = self.profile(user_id)
            return Response(body, status_code=status, media_type="application/json", headers=headers)

        @api.get("/v1/profiles/{user_id}/next-best-action", response_model=ActionAnswer, tags=["profiles"],
                 responses={401: {"description": "no valid API key"}, 404: {"description": "no profile (or erased)"}})
        async def next_best_action(user_id: UserId, _: Annotated[None, key],
                                   channel: Annotated[ProfileChannel, Query(description="where the customer is")],
                                   peek: Annotated[bool, Query(description=(
                                       "look without counting a showing against the frequency caps"))] = False
                                   ) -> ActionAnswer:
            """What to do with the customer on this channel now (catalogue, frequency caps)."""
            value = self.store.get(user_id)
            if value is None:
                raise HTTPException(404, "no profile for this user")
            return self.answer(user_id, channel, orjson.loads(value), peek)

        @api.get("/health", response_model=Health, tags=["ops"])
        async def health() -> JSONResponse:
            """200 once the replica has read the profiles topic up to where it was at start, else 503."""
            body = Health(status="ready" if self.ready() else "catching_up",
                          lag=self.follower.lag if self.follower else 0, keys=len(self.keys),
                          records_read=self.follower.records if self.follower else 0,
                          error=self.follower.error if self.follower else None)
            return JSONResponse(body.model_dump(), status_code=200 if self.ready() else 503)

        @api.get("/metrics", tags=["ops"], response_class=Response)
        async def metrics() -> Response:
            """Prometheus: requests, latency, lag behind the topic, profiles held."""
            return Response(self.metrics.render(self), media_type="text/plain; version=0.0.4")

        @api.get("/desk/{user_id}", response_class=HTMLResponse, tags=["desk"])
        async def desk(user_id: UserId) -> HTMLResponse:
            """The agent desk page. It holds no customer data: the page asks the API with the
            agent's key (kept in the browser's session storage) and updates by long poll."""
            return HTMLResponse((STATIC / "desk.html").read_text(encoding="utf-8"),
                                headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

        return api

    def profile(self, user_id: str) -> tuple[int, bytes, dict[str, str]]:
        """GET /v1/profiles/{user_id} once authorized: (status, JSON body, headers)."""
        found = self.store.lookup(user_id)
        if found is None:
            return 404, NO_PROFILE, {}
        value, cause = found
        return 200, value, ({CAUSE_HEADER: cause} if cause else {})

    def answer(self, user_id: str, channel: str, record: dict[str, Any], peek: bool) -> "ActionAnswer":
        version = int(record.get("version") or 0)
        if not (record.get("consent") or {}).get("personalization", False):
            return ActionAnswer(user_id=user_id, channel=channel, action=None, version=version,
                                reason="no personalization consent: nothing personal is chosen")
        skipped: list[str] = []

        def capped(spec) -> bool:
            if self.caps.capped(user_id, channel, spec.id, spec.cap.times, spec.cap.hours):
                skipped.append(spec.id)
                return True
            return False

        situation = Situation.of_profile(record)
        choice = choose(self.catalogue, channel, situation, capped)
        spec = self.catalogue.by_id[choice["action"]]
        if not peek and spec.cap is not None:
            self.caps.record(user_id, channel, spec.id)
        return ActionAnswer(user_id=user_id, channel=channel, version=version, capped=skipped, **choice)
