"""Who is acting: the platform account of the session, its cached copy for offline work, or a local technician.

Everything that records a person (audit rows, accepted exceptions, check runs, imports) asks `current_user()`.
The role is never a free choice: it comes from the platform login (the token's account), is cached in the
working copy for offline work for a limited time (the policy's `identity.offline_days`, 7 by default), and
without any login the user works as a local county technician. What an offline or local identity does that
the platform must confirm stays pending until the platform has accepted it.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional

from .. import schema
from ..settings import WorkingCopyKey
from . import clock, geopackage

PLATFORM, CACHED, LOCAL = "platform", "cached", "local"
CACHE_KEY = "identity"  # sync_state key in the working copy
DEFAULT_OFFLINE_DAYS = 7.0


def utc_now() -> _dt.datetime:
    """The current time in UTC (core.clock, the one clock)."""
    return clock.now_utc()


def utc_text(when: Optional[_dt.datetime] = None) -> str:
    """UTC time as stored everywhere: YYYY-MM-DDTHH:MM:SS.SSSZ (core.clock.utc_iso)."""
    return clock.utc_iso(when)


def parse_utc(text: str) -> Optional[_dt.datetime]:
    try:
        return _dt.datetime.strptime(str(text).rstrip("Z")[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=_dt.timezone.utc)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Identity:
    """The acting person: platform user name, display name, role, county and the units they cover."""

    username: str
    role: str
    display_name: str = ""
    county: str = ""
    units: tuple = field(default_factory=tuple)
    source: str = LOCAL  # platform (live session) | cached (last login, offline) | local (no account)
    verified_at: str = ""  # when the platform last vouched for it (UTC)
    server: str = ""

    @property
    def is_local(self) -> bool:
        return self.source == LOCAL

    @property
    def audit_name(self) -> str:
        """The name written to the audit log and to exceptions."""
        return self.username

    def label(self, lang: str = "zh") -> str:
        """"demo_county · 县级审核 · 339901" for the docks (the display name in brackets when there is one)."""
        who = self.username
        if self.display_name and self.display_name != self.username:
            who = f"{self.username} ({self.display_name})"
        parts = [who, schema.ROLES.label(self.role, lang)]
        units = list(self.units) or ([self.county] if self.county else [])
        if units:
            parts.append(", ".join(units))
        return " · ".join(p for p in parts if p)

    def covers(self, code: str) -> bool:
        """True when the account's units contain the administrative unit `code` (a local identity: its county)."""
        from .policy import unit_covered

        units = list(self.units) or ([self.county] if self.county else [])
        return not units or unit_covered(units, str(code or ""))  # a local identity without a county: anywhere

    def to_json(self) -> Dict[str, Any]:
        d = asdict(self)
        d["units"] = list(self.units)
        return d


def from_platform_user(user: Dict[str, Any], server: str = "") -> Identity:
    """The identity of a platform login reply's / GET /me's user object (validated: it crosses a boundary)."""
    if not isinstance(user, dict):
        raise ValueError("the platform sent no user")
    username, role = str(user.get("username") or "").strip(), str(user.get("role") or "")
    if not username or role not in schema.ROLES:
        raise ValueError(f"the platform sent an unusable user (role {role!r})")
    units = user.get("units") or ([user["county"]] if user.get("county") else [])
    if not isinstance(units, list) or not all(isinstance(u, str) and u.isdigit() for u in units):
        raise ValueError("the platform sent unusable units")
    return Identity(username=username, role=role, display_name=str(user.get("display_name") or ""),
                    county=str(user.get("county") or ""), units=tuple(units), source=PLATFORM,
                    verified_at=utc_text(), server=server)


def local_identity(county: str = "", role: str = "county_technician") -> Identity:
    """Working without a platform account: the operating-system user as a local technician."""
    try:
        name = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user database entry (containers)
        name = "unknown"
    return Identity(username=name, role=role, display_name=name, county=county,
                    units=(county,) if county else (), source=LOCAL)


# -- the live session (one per QGIS process, set by the sync panel on login) ------------------------

_session: Dict[str, Any] = {"identity": None}
_listeners: List[Any] = []  # called with no arguments when the session changes (the docks refresh)


def set_session(identity: Optional[Identity]) -> None:
    """Make `identity` (from a fresh login) the acting person; None on logout."""
    _session["identity"] = identity
    notify()


def notify() -> None:
    """Tell the docks that follow the session to read the working copy again (the session changed, or what they
    show did: a sync's answers, patches numbered)."""
    for fn in list(_listeners):
        fn()


def add_listener(fn) -> None:
    if fn not in _listeners:
        _listeners.append(fn)


def remove_listener(fn) -> None:
    if fn in _listeners:
        _listeners.remove(fn)


def session_identity() -> Optional[Identity]:
    return _session["identity"]


# -- the cache in the working copy -----------------------------------------------------------------

def cache_identity(path: str, ident: Identity) -> None:
    """Remember the platform's identity in the working copy for offline work (no secrets in it)."""
    from .sync.changes import ensure_change_tracking

    ensure_change_tracking(path)
    with geopackage.connect(path) as con:
        con.execute("INSERT OR REPLACE INTO sync_state VALUES (?, ?)",
                    (CACHE_KEY, json.dumps(ident.to_json(), ensure_ascii=False)))


def cached_identity(path: str, max_age_days: float = DEFAULT_OFFLINE_DAYS,
                    now: Optional[_dt.datetime] = None) -> Optional[Identity]:
    """The identity of the last login to this working copy, if younger than `max_age_days`; else None."""
    try:
        with geopackage.connect(path) as con:
            row = con.execute("SELECT value FROM sync_state WHERE key = ?", (CACHE_KEY,)).fetchone()
    except Exception:  # noqa: BLE001 - no sync tables yet, or not a working copy
        return None
    if not row or not row[0]:
        return None
    try:
        d = json.loads(row[0])
        verified = parse_utc(d.get("verified_at"))
        ident = Identity(username=str(d["username"]), role=str(d["role"]), display_name=str(d.get("display_name") or ""),
                         county=str(d.get("county") or ""), units=tuple(str(u) for u in d.get("units") or ()),
                         source=CACHED, verified_at=str(d.get("verified_at") or ""), server=str(d.get("server") or ""))
    except (ValueError, KeyError, TypeError):
        return None  # a damaged cache is no identity
    if ident.role not in schema.ROLES or verified is None:
        return None
    age = (now or utc_now()) - verified
    if age.total_seconds() < 0 or age > _dt.timedelta(days=max_age_days):
        return None
    return ident


def current_user(path: Optional[str] = None, max_age_days: Optional[float] = None) -> Identity:
    """The acting person: the live platform session, else the working copy's cached login, else a local technician."""
    live = session_identity()
    county = ""
    if path:
        try:
            county = str(geopackage.get_setting(path, WorkingCopyKey.COUNTY_CODE) or "")
        except Exception:  # noqa: BLE001
            county = ""
    if live is not None and (not county or live.covers(county)):
        return live
    if path:
        if max_age_days is None:
            from .workflow import load_policy

            try:
                max_age_days = load_policy(path).offline_days
            except Exception:  # noqa: BLE001 - a broken cached policy: fall back to the default
                max_age_days = DEFAULT_OFFLINE_DAYS
        cached = cached_identity(path, max_age_days)
        if cached is not None:
            return cached
    return local_identity(county)

