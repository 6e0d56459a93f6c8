"""What the sync engine needs from "a platform": the one interface every kind of server is reached through.

The engine (engine.py) knows nothing of URLs, JSON shapes or XML: it asks a `Platform` for pages of changed
patches, sends it batches, and, where the platform keeps them, the audit trail and the accepted exceptions.
Two adapters ship:

- `client.PlatformClient` (kind "rest"): the documented REST contract (docs/platform-api.yaml). The platform
  knows who the token belongs to, serves and enforces the workflow policy, keeps the audit chain and decides on
  exceptions.
- `wfs.WfsPlatform` (kind "wfs"): a standard OGC WFS-T server (GeoServer, QGIS Server, SuperMap iServer, ArcGIS
  Server) publishing the county's patch layer. It stores patches, with optimistic concurrency through a version
  field; it knows no workflow: the policy stays the plugin's own and the audit trail stays in the working copy.

What a kind can do is said by its capabilities (`verifies_identity`, `serves_policy`, `keeps_audit`,
`keeps_exceptions`, `lists_deletes`, `accepts_uploads`); the engine leaves out what a platform does not keep instead
of pretending.

Records on the wire are GeoJSON features in CGCS2000 geographic coordinates (EPSG:4490, lon/lat) with the
schema's synced fields as properties, `version` (the platform's version, a whole number) and `deleted`.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import parse_qsl, urlencode, urlsplit

REST, WFS, PACKAGE = "rest", "wfs", "package"
KINDS = (REST, WFS, PACKAGE)  # package exchange has no adapter: files go through core/exchange instead
Page = Tuple[List[Dict[str, Any]], str, bool]  # (features, cursor after this page, last page?)


class Platform:
    """A platform the engine syncs a county with. Subclasses implement the transport; see the module text."""

    kind = ""
    verifies_identity = False  # the platform says who the session is (role, units) and enforces the policy
    serves_policy = False  # workflow() gives the policy the platform enforces
    keeps_audit = False  # submit_audit / audit_head: the platform keeps (and acts on) the audit chain
    keeps_exceptions = False  # submit_exceptions: the platform decides on accepted exceptions
    lists_deletes = True  # deleted patches come back in iter_pages as tombstones (else: present_versions)
    # False: the server only publishes the layer (a WFS description's "read_only": MapServer, a province publishing
    # its verified patches): the engine downloads and never sends anything; local work stays queued
    accepts_uploads = True
    # records it refuses to translate carry the adapter's own reason in "problem" (the WFS adapter's code tables);
    # a platform's own JSON never does: a server's text is not shown as the plugin's explanation
    explains_records = False
    # what the adapter found about the server that the user must be told at every sync (the WFS adapter: code tables
    # a number column cannot read back); the engine adds them to each summary's messages
    notices: Tuple[str, ...] = ()

    base_url = ""
    user: Dict[str, Any] = {}
    bytes_sent = 0
    bytes_received = 0

    # -- session ----------------------------------------------------------------------
    def login(self, username: str, password: str) -> Dict[str, Any]:
        raise NotImplementedError

    def logout(self) -> None:
        self.forget()

    def forget(self) -> None:
        raise NotImplementedError

    @property
    def logged_in(self) -> bool:
        raise NotImplementedError

    def secrets(self) -> Tuple[str, ...]:
        """What must never appear in a message or a log: the session's tokens and passwords."""
        return ()

    def identity(self) -> str:
        """Which platform this is, as a working copy remembers the one it syncs with (engine: sync_state
        "platform"): the kind and the address (normalized_address), never a credential. Two adapters with the same
        identity hold the same patches (their versions mean the same); the WFS adapter adds the feature type."""
        return f"{self.kind}:{normalized_address(self.base_url)}"

    # -- patches ----------------------------------------------------------------------
    def iter_pages(self, county: str, changed_since: Optional[str] = None, page_size: int = 500) -> Iterator[Page]:
        """Pages of the county's patches changed since a cursor ("0" or None: all of them)."""
        raise NotImplementedError

    def present_versions(self, county: str) -> Dict[str, int]:
        """Every patch the platform holds for the county and its version (only where lists_deletes is False:
        the engine learns of deletes by what is missing)."""
        raise NotImplementedError

    def fetch(self, county: str, patch_ids: List[str]) -> List[Dict[str, Any]]:
        """The platform's current records of the given patches (those it holds; only where lists_deletes is
        False)."""
        raise NotImplementedError

    def upsert(self, items: List[Dict[str, Any]], county: str, idempotency_key: Optional[str] = None
               ) -> List[Dict[str, Any]]:
        """Apply a batch of upserts and deletes, each with its base version; one result per item, in order:
        {"status": "accepted", "version": n} / {"status": "conflict", "server": feature or None} /
        {"status": "rejected", "code": ..., "reasons": [...], "server": feature or None}.
        Sending the same batch again (same key) after a lost reply must not apply anything twice."""
        raise NotImplementedError

    # -- what only some platforms keep ------------------------------------------------------
    def workflow(self) -> Dict[str, Any]:
        raise NotImplementedError

    def audit_head(self, county: str, copy_id: str) -> Dict[str, Any]:
        return {"head": "", "count": 0}

    def submit_audit(self, county: str, copy_id: str, items: List[Dict[str, Any]], copy_secret: str) -> Dict[str, Any]:
        raise NotImplementedError

    def submit_exceptions(self, county: str, items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        raise NotImplementedError


# -- which platform ---------------------------------------------------------------------------------------

_PROTOCOL_PARAMS = {"SERVICE", "VERSION", "REQUEST"}  # OGC parameters the adapter sets itself, not the address
# The one list of the names that carry a credential (lower case; compared without regard to case): left out of a
# platform's address (normalized_address: who asks, not which server) and blanked in every message (client.redact:
# "name=value", JSON and a Python repr). GeoServer's authkey, an API key, a signature, Tianditu's tk, Baidu's ak, ...
CREDENTIAL_PARAMS: Tuple[str, ...] = (
    "access_token", "refresh_token", "id_token", "token", "password", "passwd", "pwd", "secret", "client_secret",
    "copy_secret", "api_key", "apikey", "key", "authkey", "access_key", "appkey", "signature", "sig", "sign", "tk",
    "ak")
_CREDENTIAL_PARAMS = {k.upper() for k in CREDENTIAL_PARAMS}


def normalized_address(url: str) -> str:
    """A server address as it identifies the server: host in lower case, the port unless it is the scheme's
    default, the path without repeated or trailing slashes, the query's parameters (names in upper case: OGC
    parameter names are case-insensitive; SERVICE, VERSION and REQUEST left out) in order. The scheme is left out
    (http and https to the same host and path are the same server) and so are credentials: a user name and
    password, and query parameters that carry one (token, key, authkey, password, ...)."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:  # a port that is not a number: the address as typed, without user information
        return text.lower().split("@")[-1].rstrip("/")
    if ":" in host:  # IPv6
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port is None or port == default else f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    query = sorted((k.upper(), v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if k.upper() not in _PROTOCOL_PARAMS | _CREDENTIAL_PARAMS)
    return netloc + path + ("?" + urlencode(query, safe="/:,") if query else "")


# -- comparing records as both sides store them (the engine and the adapters) ---------------------------

def same_value(a: Any, b: Any) -> bool:
    """Two attribute values as both sides store them: empty is empty, numbers within rounding, dates by digits."""
    if (a in (None, "") and b in (None, "")) or a == b:
        return True
    try:
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    except (TypeError, ValueError):
        pass
    da, db = re.sub(r"\D", "", str(a)), re.sub(r"\D", "", str(b))
    # dates and times written as 2025-01-05T09:00:00(.000Z) or 2025/01/05 09:00:00 (OGR) are the same moment
    return len(da) >= 8 and da[:14].ljust(14, "0") == db[:14].ljust(14, "0") and \
        bool(re.match(r"\d{4}\D\d{2}\D\d{2}", str(a))) and bool(re.match(r"\d{4}\D\d{2}\D\d{2}", str(b)))


def flat_coords(geometry: Optional[Dict[str, Any]]) -> Optional[List[float]]:
    """A GeoJSON (Multi)Polygon's coordinates as one flat list, ring structure included as counts."""
    if not isinstance(geometry, dict):
        return None
    coords = geometry.get("coordinates")
    polys = [coords] if geometry.get("type") == "Polygon" else coords
    out: List[float] = []
    try:
        for poly in polys:
            out.append(-len(poly))  # ring counts keep the structure in the comparison
            for ring in poly:
                out.append(-len(ring))
                for pos in ring:
                    out.extend(float(v) for v in pos[:2])
    except (TypeError, ValueError):
        return None
    return out


def same_geometry(a: Optional[Dict[str, Any]], b: Optional[Dict[str, Any]], tol: float = 1e-8) -> bool:
    """True when two GeoJSON geometries agree within `tol` degrees (about a millimetre)."""
    fa, fb = flat_coords(a), flat_coords(b)
    if fa is None or fb is None or len(fa) != len(fb):
        return False
    return all(abs(x - y) <= tol for x, y in zip(fa, fb))
