"""Event-time parsing and formatting.

Inputs carry ``ts`` as epoch milliseconds (JSON int or float) or an RFC 3339
string with an explicit offset; internally every time is an ``int`` of epoch
milliseconds (UTC); outputs write RFC 3339 UTC with milliseconds.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

#: Accepted event-time range. Fixed (not "now ± x") so that validation, and so
#: replay, is deterministic: the same file is valid whenever it is replayed.
MIN_TS_MS = 946_684_800_000  # 2000-01-01T00:00:00Z
MAX_TS_MS = 4_102_444_800_000  # 2100-01-01T00:00:00Z

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)


def parse_ts(value: object) -> int:
    """Epoch milliseconds from an input ``ts``; raises ``ValueError`` with the reason.

    >>> parse_ts(1747116002919)
    1747116002919
    >>> parse_ts("2025-05-13T06:00:02.919Z")
    1747116002919
    >>> parse_ts("2025-05-13T01:00:02.919-05:00")
    1747116002919
    >>> parse_ts("2025-05-13T06:00:02")
    Traceback (most recent call last):
    ...
    ValueError: ts must be epoch milliseconds or RFC 3339 with an offset (Z or ±hh:mm)
    """
    if isinstance(value, bool):  # bool is an int subclass: reject before the int branch
        raise ValueError("ts must be epoch milliseconds or RFC 3339, not a boolean")
    if isinstance(value, int):
        ms = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("ts must be a finite number")
        ms = int(value)
    elif isinstance(value, str):
        ms = _parse_rfc3339(value)
    else:
        raise ValueError(f"ts must be epoch milliseconds or RFC 3339, not {type(value).__name__}")
    if not MIN_TS_MS <= ms < MAX_TS_MS:
        raise ValueError("ts is outside the accepted range 2000-01-01 .. 2100-01-01")
    return ms


def _parse_rfc3339(text: str) -> int:
    m = _RFC3339.fullmatch(text)
    if m is None:
        raise ValueError("ts must be epoch milliseconds or RFC 3339 with an offset (Z or ±hh:mm)")
    hour, minute = int(m.group(4)), int(m.group(5))
    second = min(int(m.group(6)), 59)  # a leap second (:60) counts as :59
    time_ms = (hour * 3600 + minute * 60 + second) * 1000
    frac = m.group(7) or ""
    millis = int((frac + "000")[:3])
    day = m.group(1, 2, 3, 8, 9, 10, 11)  # the date and the offset
    midnight = _MIDNIGHTS.get(day)
    if midnight is not None and hour < 24 and minute < 60:  # a date seen before: arithmetic only
        return midnight + time_ms + millis
    year, month, mday = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if m.group(8):
        tz = UTC
    else:
        off = timedelta(hours=int(m.group(10)), minutes=int(m.group(11)))
        if off >= timedelta(hours=24):
            raise ValueError("ts has an invalid UTC offset")
        tz = timezone(-off if m.group(9) == "-" else off)
    try:
        dt = datetime(year, month, mday, hour, minute, second, tzinfo=tz)
    except ValueError as exc:
        raise ValueError(f"ts is not a valid date-time: {exc}") from None
    if len(_MIDNIGHTS) >= 4096:
        _MIDNIGHTS.clear()
    # building the datetime costs several µs; the events of a stream share a few dates
    whole_ms = int(dt.timestamp()) * 1000
    _MIDNIGHTS[day] = whole_ms - time_ms
    return whole_ms + millis


#: (year, month, day, Z, sign, hh, mm) of a valid date -> epoch ms of its midnight at that offset
_MIDNIGHTS: dict[tuple, int] = {}


def format_ts(ms: int | float) -> str:
    """RFC 3339 UTC with milliseconds, the output format of every time.

    >>> format_ts(1747116002919)
    '2025-05-13T06:00:02.919Z'
    """
    ms = int(ms)
    day, in_day = divmod(ms, 86_400_000)
    prefix = _DAYS.get(day)
    if prefix is None:  # formatting a datetime costs several µs: once per day, the rest is arithmetic
        if len(_DAYS) >= 4096:
            _DAYS.clear()
        prefix = _DAYS[day] = f"{datetime.fromtimestamp(day * 86_400, tz=UTC):%Y-%m-%d}T"
    seconds, millis = divmod(in_day, 1000)
    return f"{prefix}{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{millis:03d}Z"


_DAYS: dict[int, str] = {}  # epoch day -> its formatted date (format_ts)
