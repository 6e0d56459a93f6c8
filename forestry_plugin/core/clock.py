"""One clock: times are stored in UTC and shown in local time.

Every stamp the plugin writes with SQL (patches.updated_at of a stage move or an import, check_state.checked_at,
accepted_at, the audit trail, the sync tables) is UTC in the GeoPackage DATETIME format
``YYYY-MM-DDTHH:MM:SS.SSSZ`` (`now_utc_iso`). Working copies made before this rule hold zone-less stamps in local
time ("2025-01-05T09:00:00"): `parse` reads both, a zone-less stamp as local time, so stamps of either kind are
compared and ordered as instants (`sort_key`, `is_after`), never as strings.

QGIS 3.22 writes every datetime that goes through a layer's edit buffer without its zone (its OGR provider turns
"…09:43:01Z" into "…09:43:01.000"; tests/core/test_one_source.py shows it). A stamp handed to an edit buffer is therefore
the local time (`layer_now`): QGIS stores it zone-less, which is what the zone-less rule reads back as that instant.

People read times in local time: `local_text` (the check report's "Created", the review dock's history, dates and
times shown in dialogs).
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Optional

UTC = _dt.timezone.utc


def now_utc() -> _dt.datetime:
    """The current time, aware, in UTC."""
    return _dt.datetime.now(UTC)


def utc_iso(when: Optional[_dt.datetime] = None) -> str:
    """`when` (default: now; a naive datetime is local time) as the stored UTC text YYYY-MM-DDTHH:MM:SS.SSSZ."""
    when = now_utc() if when is None else _aware(when).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def now_utc_iso() -> str:
    """The current time as stored: UTC, YYYY-MM-DDTHH:MM:SS.SSSZ (e.g. "2026-12-02T09:43:01.123Z")."""
    return utc_iso()


def layer_now() -> str:
    """The current time for a datetime field written through a QGIS layer's edit buffer: local, zone-less,
    whole seconds (QGIS 3.22 drops any zone on writing; see the module docstring)."""
    return _dt.datetime.now().replace(microsecond=0).isoformat()


def _aware(when: _dt.datetime) -> _dt.datetime:
    return when.astimezone() if when.tzinfo is None else when  # naive: local time


def parse(value: Any) -> Optional[_dt.datetime]:
    """A stored stamp as an aware datetime; None for an empty or unreadable one.

    Reads "…Z" and "…+08:00" (UTC, offsets), zone-less text as local time (stamps of older working copies and of
    QGIS edits), a space or "T" between date and time, fractions of a second, a date alone (local midnight),
    datetime/date objects and QDateTime (its own time spec)."""
    if value is None:
        return None
    if hasattr(value, "toPyDateTime") and hasattr(value, "timeSpec"):  # QDateTime
        if not value.isValid():
            return None
        try:
            if int(value.timeSpec()) == 1:  # Qt.UTC
                return value.toPyDateTime().replace(tzinfo=UTC)
            if int(value.timeSpec()) == 2:  # Qt.OffsetFromUTC
                return value.toPyDateTime().replace(tzinfo=_dt.timezone(_dt.timedelta(seconds=value.offsetFromUtc())))
        except (TypeError, ValueError):
            pass
        return _aware(value.toPyDateTime())
    if isinstance(value, _dt.datetime):
        return _aware(value)
    if isinstance(value, _dt.date):
        return _aware(_dt.datetime(value.year, value.month, value.day))
    text = str(value).strip()
    if not text:
        return None
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    try:
        when = _dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return _aware(when)


def to_utc_iso(value: Any) -> Optional[str]:
    """Any stamp `parse` reads, as the stored UTC text (None if unreadable)."""
    when = parse(value)
    return utc_iso(when) if when is not None else None


def local(value: Any) -> Optional[_dt.datetime]:
    """A stored stamp in local time (naive, for showing); None if empty or unreadable."""
    when = parse(value)
    return when.astimezone().replace(tzinfo=None) if when is not None else None


def local_text(value: Any, seconds: bool = True) -> str:
    """A stored stamp as people read it: local time "YYYY-MM-DD HH:MM:SS" (HH:MM without `seconds`); "" for none,
    an unreadable value as it is."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    when = local(value)
    if when is None:
        return str(value)
    return when.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def local_now_text() -> str:
    """The current local time as people read it."""
    return local_text(now_utc())


def local_date_iso(value: Any) -> Optional[str]:
    """The local calendar date (YYYY-MM-DD) of a stamp; a plain date stays as it is; None if unreadable."""
    if isinstance(value, str) and len(value.strip()) == 10:
        return value.strip()
    when = local(value)
    return when.date().isoformat() if when is not None else None


def sort_key(value: Any) -> float:
    """A number that orders stamps by instant (UTC and old local ones alike); unreadable ones first."""
    when = parse(value)
    return when.timestamp() if when is not None else -math.inf


def is_after(a: Any, b: Any) -> bool:
    """True if stamp `a` is a later instant than stamp `b` (False if either is unreadable)."""
    ta, tb = parse(a), parse(b)
    return ta is not None and tb is not None and ta > tb
