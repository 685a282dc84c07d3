"""Rate limits per API key and the frequency caps of actions per user and channel.

Both count in this replica's memory. Behind a load balancer that routes by user id (consistent
hashing on the path) a user's caps are exact; with round-robin routing each replica caps on its
own, so a user may see an action up to ``replicas x times`` (docs/SERVING.md).

>>> bucket = TokenBucket(rate=2, burst=2)
>>> [bucket.take(now=0.0) for _ in range(3)], bucket.take(now=0.5)
([True, True, False], True)
>>> caps = FrequencyCaps()
>>> caps.capped("u1", "email", "newsletter", times=1, hours=24, now=0.0)
False
>>> caps.record("u1", "email", "newsletter", now=0.0)
>>> [caps.capped("u1", "email", "newsletter", times=1, hours=24, now=t) for t in (60.0, 90_000.0)]
[True, False]
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque


class TokenBucket:
    """``rate`` requests per second on average, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.at = burst, None

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if self.at is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class RateLimits:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, TokenBucket] = {}

    def allow(self, key_name: str) -> bool:
        bucket = self._buckets.get(key_name)
        if bucket is None:
            bucket = self._buckets[key_name] = TokenBucket(self.rate, self.burst)
        return bucket.take()


class FrequencyCaps:
    """When each capped action was last given to a user on a channel (wall clock), bounded:
    the least recently used users are forgotten beyond ``max_users``."""

    def __init__(self, max_users: int = 200_000) -> None:
        self.max_users = max_users
        self._shown: OrderedDict[tuple[str, str], dict[str, deque[float]]] = OrderedDict()

    def capped(self, user_id: str, channel: str, action: str, times: int, hours: float,
               now: float | None = None) -> bool:
        """Whether the action was given ``times`` times within ``hours`` already."""
        now = time.time() if now is None else now
        shown = self._shown.get((user_id, channel), {}).get(action)
        if not shown:
            return False
        horizon = now - hours * 3600.0
        while shown and shown[0] <= horizon:
            shown.popleft()
        return len(shown) >= times

    def record(self, user_id: str, channel: str, action: str, now: float | None = None) -> None:
        key = (user_id, channel)
        per_action = self._shown.get(key)
        if per_action is None:
            per_action = self._shown[key] = {}
            if len(self._shown) > self.max_users:
                self._shown.popitem(last=False)
        else:
            self._shown.move_to_end(key)
        per_action.setdefault(action, deque(maxlen=64)).append(time.time() if now is None else now)

    def forget(self, user_id: str) -> None:
        """Erasure: nothing about the user stays."""
        for key in [k for k in self._shown if k[0] == user_id]:
            del self._shown[key]
