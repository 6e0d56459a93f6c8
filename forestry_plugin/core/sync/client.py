"""The ONE adapter module between the plugin and the provincial platform (contract: docs/platform-api.yaml).

An integrator maps the province's real API here; nothing else in the plugin knows URLs or JSON shapes.
Requests go through QGIS's network stack (QgsBlockingNetworkRequest → QgsNetworkAccessManager), so QGIS's
proxy settings, SSL error handling (verification stays on) and timeouts apply, in the GUI, in QgsTask threads
and in qgis_process alike. Tokens live in memory only and are never logged.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from qgis.core import QgsBlockingNetworkRequest, QgsFeedback, QgsNetworkAccessManager
from qgis.PyQt.QtCore import QByteArray, QTimer, QUrl
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest

from ...i18n import tr
from .adapter import CREDENTIAL_PARAMS, REST, Platform


class PlatformError(Exception):
    """Base of every error the client raises; `str()` is a message for the user."""

    retryable = False


class AuthError(PlatformError):
    """401: `expired` True for an expired session (log in again), False for wrong credentials/unknown token."""

    def __init__(self, message: str, expired: bool = False, code: str = ""):
        super().__init__(message)
        self.expired, self.code = expired, code


class ForbiddenError(PlatformError):
    """403: the account may not access this county or operation."""


class ConflictError(PlatformError):
    """409 on a whole request (per-item conflicts are results, not exceptions)."""


class ServerError(PlatformError):
    """5xx: the platform failed; worth retrying."""

    retryable = True


class NetworkError(PlatformError):
    """No answer: connection refused or dropped, timeout, DNS, proxy or TLS failure; worth retrying."""

    retryable = True


class TimedOut(NetworkError):
    """No answer within the deadline: retried once only (each try costs the whole deadline)."""


class ProtocolError(PlatformError):
    """An answer that is not what the contract says (malformed JSON, missing fields, wrong status)."""


class CanceledError(PlatformError):
    """The user canceled."""


class ThrottledError(PlatformError):
    """429: too many failed logins; `retry_after` seconds until the next try."""

    def __init__(self, message: str, retry_after: int = 0):
        super().__init__(message)
        self.retry_after = retry_after


class AuditChainRefused(PlatformError):
    """409 audit_chain_broken: the working copy's audit log does not continue the platform's copy."""


# Secrets that a platform or gateway might echo back in an error message: never shown, never logged.
# the names that carry a credential, one list for the whole plugin (adapter.CREDENTIAL_PARAMS, also left out of a
# platform's address); longest first so that "access_token" is matched whole
_SECRET_KEYS = tuple(sorted(CREDENTIAL_PARAMS, key=len, reverse=True))
_SCHEME_VALUE = re.compile(r"(?i)\b(?:bearer|basic)\s+[^\s,;\"']+")
_AUTH_HEADER = re.compile(r"(?i)\b((?:proxy-)?authorization|cookie)([\"']?\s*[:=]\s*[\"']?)([^\r\n\"',;}]*)")
# key = value, "key": "value" (JSON) and 'key': 'value' (a Python repr echoed back)
_KEY_VALUE = re.compile(r"(?i)(?<![a-z0-9])(" + "|".join(_SECRET_KEYS) + r")([\"']?\s*[:=]\s*[\"']?)([^\s,;&\"'<>}]+)")
MAX_SERVER_TEXT = 300  # characters of a platform's error message shown to the user


def redact(text: str, secrets: Tuple[str, ...] = (), limit: Optional[int] = MAX_SERVER_TEXT) -> str:
    """`text` without the given secrets, Authorization/Cookie header values, "Bearer ..." credentials and the
    values of credential parameters (CREDENTIAL_PARAMS: token=, password=, tk=, ak=, ...); cut to `limit` characters
    (None: the plugin's own text, not cut)."""
    text = str(text)
    for s in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(s, "***")
    text = _SCHEME_VALUE.sub("***", text)
    text = _AUTH_HEADER.sub(lambda m: m.group(0) if m.group(3).startswith("***") or not m.group(3).strip()
                            else m.group(1) + m.group(2) + "***", text)
    text = _KEY_VALUE.sub(lambda m: m.group(1) + m.group(2) + "***", text)
    return text if limit is None or len(text) <= limit else text[:limit] + "…"


def shown_url(url: str) -> str:
    """A URL as it may appear in a message: without user:password@."""
    return QUrl(url).toDisplayString(QUrl.RemoveUserInfo)


Progress = Optional[Callable[[float], None]]
IsCanceled = Optional[Callable[[], bool]]


class HttpTransport:
    """HTTP through QGIS's network stack (proxy, TLS verification, timeouts) with a deadline of its own, cancel
    through a QgsFeedback and a back-off that a cancel ends: what every platform adapter talks through."""

    def __init__(self, base_url: str, feedback: Optional[QgsFeedback] = None, retries: int = 4,
                 backoff_s: float = 0.5, sleep: Callable[[float], None] = time.sleep):
        self.base_url = base_url.rstrip("/")
        self.feedback = feedback  # canceling it aborts the request under way
        self.retries, self.backoff_s, self.sleep = retries, backoff_s, sleep
        self.deadline_ms = 0  # 0: 1.5 x QGIS's network timeout + 5 s
        self.user: Dict[str, Any] = {}
        self.bytes_sent = 0
        self.bytes_received = 0

    def _authorize(self, req: QNetworkRequest, blocking: QgsBlockingNetworkRequest) -> None:
        """Put the session's credentials on a request (none here)."""

    def _secrets(self, body: Any = None) -> Tuple[str, ...]:
        return ()

    def _request(self, method: str, path: str, body: Any = None, headers: Optional[Dict[str, str]] = None,
                 auth: bool = True, raw: Optional[bytes] = None, content_type: str = "application/json; charset=utf-8",
                 accept: str = "application/json") -> Tuple[int, bytes, Dict[str, str]]:
        """One HTTP exchange through QGIS's network stack: (status, body, lower-case headers). `body` goes as JSON,
        `raw` as it is (with `content_type`)."""
        if self.feedback is not None and self.feedback.isCanceled():
            raise CanceledError(tr("Canceled"))
        url = path if path.startswith("http") else self.base_url + path
        req = QNetworkRequest(QUrl(url))
        req.setRawHeader(b"Accept", accept.encode())
        blocking = QgsBlockingNetworkRequest()
        if auth:
            self._authorize(req, blocking)
        for k, v in (headers or {}).items():
            req.setRawHeader(k.encode(), v.encode())
        # QGIS keeps GET replies in its network cache (on disk), and when a later request for the same URL fails,
        # 3.22 hands back the cached reply instead: HTTP 200 and the old body, a stale answer taken for a fresh one.
        # API replies are never kept: not saved, not loaded, and removed before the request and after it.
        req.setAttribute(QNetworkRequest.CacheSaveControlAttribute, False)
        req.setAttribute(QNetworkRequest.CacheLoadControlAttribute, QNetworkRequest.AlwaysNetwork)
        self._uncache(url)
        # A deadline of our own over QGIS's timeout: QGIS 3.22 can leave a request waiting for good (seen after a
        # TLS certificate refusal, where it pauses its timeout); the request then ends as "no answer in time".
        inner, timed_out = QgsFeedback(), []
        if self.feedback is not None:
            self.feedback.canceled.connect(inner.cancel)
            if self.feedback.isCanceled():
                inner.cancel()
        limit_ms = self.deadline_ms or int(QgsNetworkAccessManager.timeout() * 1.5) + 5000
        deadline = QTimer()
        deadline.setSingleShot(True)
        deadline.timeout.connect(lambda: (timed_out.append(True), inner.cancel()))
        deadline.start(limit_ms)
        # Called on the main thread, QgsBlockingNetworkRequest waits for a worker thread without running this
        # thread's events, so the timer above never fires there: Qt's own transfer timeout (no byte moved for that
        # long) ends the request in the thread that runs it.
        if hasattr(req, "setTransferTimeout"):
            req.setTransferTimeout(limit_ms)
        try:
            if method == "GET":
                err = blocking.get(req, True, inner)
            else:
                data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.bytes_sent += len(data)
                req.setHeader(QNetworkRequest.ContentTypeHeader, content_type)
                err = blocking.post(req, QByteArray(data), True, inner)
        finally:
            deadline.stop()
            if self.feedback is not None:
                try:
                    self.feedback.canceled.disconnect(inner.cancel)
                except TypeError:
                    pass
        if timed_out and not (self.feedback is not None and self.feedback.isCanceled()):
            raise TimedOut(tr("The platform did not answer in time ({0})").format(shown_url(url)))
        reply = blocking.reply()
        self._uncache(url)
        status = reply.attribute(QNetworkRequest.HttpStatusCodeAttribute)
        content = bytes(reply.content())
        self.bytes_received += len(content)
        if self.feedback is not None and self.feedback.isCanceled():
            raise CanceledError(tr("Canceled"))
        if status is None or int(status) == 0:
            if err == QgsBlockingNetworkRequest.TimeoutError or reply.error() == QNetworkReply.OperationCanceledError:
                # not the user (checked above): QGIS's timeout or ours
                raise TimedOut(tr("The platform did not answer in time ({0})").format(shown_url(url)))
            # QGIS 3.22 reports its own timeout as NoError with an empty message: say what happened
            why = blocking.errorMessage() or tr("no answer in time, or the connection was dropped")
            raise NetworkError(tr("Cannot reach the platform at {0}: {1}").format(
                shown_url(url), redact(why, self._secrets())))
        hdrs = {bytes(k).decode("latin-1").lower(): bytes(reply.rawHeader(k)).decode("latin-1")
                for k in reply.rawHeaderList()}
        return int(status), content, hdrs

    @staticmethod
    def _uncache(url: str) -> None:
        cache = QgsNetworkAccessManager.instance().cache()
        if cache is not None:
            cache.remove(QUrl(url))

    def _wait(self, seconds: float) -> None:
        """The back-off before a retry; a cancel ends it at once instead of after the full wait."""
        if self.sleep is not time.sleep:  # tests inject their own clock
            self.sleep(seconds)
            return
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self.feedback is not None and self.feedback.isCanceled():
                raise CanceledError(tr("Canceled"))
            time.sleep(min(0.05, max(0.0, end - time.monotonic())))
        if self.feedback is not None and self.feedback.isCanceled():
            raise CanceledError(tr("Canceled"))



class PlatformClient(HttpTransport, Platform):
    """Speaks the documented contract. One instance per server and user session."""

    kind = REST
    verifies_identity = serves_policy = keeps_audit = keeps_exceptions = lists_deletes = True

    def __init__(self, base_url: str, feedback: Optional[QgsFeedback] = None, retries: int = 4,
                 backoff_s: float = 0.5, sleep: Callable[[float], None] = time.sleep):
        super().__init__(base_url, feedback, retries, backoff_s, sleep)
        self._access: Optional[str] = None
        self._refresh: Optional[str] = None

    def __repr__(self) -> str:  # never shows tokens
        return f"PlatformClient({shown_url(self.base_url)!r}, user={self.user.get('username')!r})"

    # -- transport ----------------------------------------------------------------------
    def _authorize(self, req: QNetworkRequest, blocking: QgsBlockingNetworkRequest) -> None:
        """Put the session's credentials on a request (the REST contract: its bearer token)."""
        if self._access:
            req.setRawHeader(b"Authorization", b"Bearer " + self._access.encode())

    @staticmethod
    def _json(status: int, content: bytes) -> Dict[str, Any]:
        try:
            data = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            # Never quote the body: a mangled login reply holds tokens, and messages end up in QGIS's log.
            raise ProtocolError(tr("The reply could not be read (HTTP {0}, {1} bytes): it may have been cut off on the "
                                   "way; try again").format(status, len(content))) from None
        if not isinstance(data, dict):
            raise ProtocolError(tr("The platform sent a malformed reply (HTTP {0}): {1}").format(status, "not an object"))
        return data

    def secrets(self) -> Tuple[str, ...]:
        return self._secrets()

    def _secrets(self, body: Any = None) -> Tuple[str, ...]:
        """What must never appear in a message: the session's tokens and the secrets of the request body."""
        found = [self._access or "", self._refresh or ""]
        if isinstance(body, dict):
            found += [str(body.get(k) or "") for k in _SECRET_KEYS]
        return tuple(found)

    def _raise_for(self, status: int, data: Dict[str, Any], body: Any = None) -> None:
        # The platform's words are shown to the user and copied into QGIS's log: without anything secret in them
        # (a gateway or a buggy platform may echo the request's Authorization header or body).
        secrets = self._secrets(body)
        code, message = redact(data.get("error") or "", secrets), redact(data.get("message") or "", secrets)
        if status == 401:
            if code in ("invalid_credentials",):
                raise AuthError(tr("Wrong user name or password"), expired=False, code=code)
            if code in ("token_expired", "invalid_refresh_token", "session_revoked", "refresh_reused"):
                raise AuthError(tr("Your session has expired: log in again"), expired=True, code=code)
            raise AuthError(tr("Not logged in: {0}").format(message or code), expired=True, code=code)
        if status == 403:
            raise ForbiddenError(tr("Not allowed: {0}").format(message or code))
        if status == 429:
            try:
                wait = int(float(data.get("retry_after") or 0))
            except (TypeError, ValueError):
                wait = 0
            raise ThrottledError(tr("Too many failed logins: try again in {0} s").format(max(wait, 1)), wait)
        if status == 409 and code == "audit_chain_broken":
            raise AuditChainRefused(tr("The platform refused the audit log: it does not continue the platform's "
                                       "copy ({0})").format(redact(data.get("problem") or "", secrets) or message or code))
        if status == 409:
            raise ConflictError(message or code)
        if status >= 500:
            raise ServerError(tr("The platform failed (HTTP {0}): {1}").format(status, message or code))
        raise ProtocolError(tr("The platform refused the request (HTTP {0}): {1}").format(status, message or code))

    def call(self, method: str, path: str, body: Any = None, headers: Optional[Dict[str, str]] = None,
             auth: bool = True, retry: bool = True) -> Dict[str, Any]:
        """One API call: JSON in and out, retries with exponential backoff on network errors and 5xx,
        one transparent token refresh on an expired session."""
        attempt, refreshed, timeouts = 0, False, 0
        while True:
            try:
                status, content, _h = self._request(method, path, body, headers, auth)
                if status >= 500:
                    try:
                        data = self._json(status, content)
                    except ProtocolError:  # a gateway's HTML error page: not the platform's JSON
                        raise ServerError(tr("The platform, or a gateway on the way to it, failed (HTTP {0})").format(
                            status)) from None
                else:
                    data = self._json(status, content)
                if status >= 400:
                    self._raise_for(status, data, body)
                return data
            except AuthError as e:
                if e.expired and auth and self._refresh and not refreshed and e.code == "token_expired":
                    refreshed = True
                    self.refresh()
                    continue
                raise
            except (NetworkError, ServerError, ProtocolError) as e:
                # A malformed reply is retried too: a proxy or load balancer may have mangled one answer.
                attempt += 1
                if not retry or attempt > self.retries:
                    raise
                if isinstance(e, TimedOut):
                    timeouts += 1
                    if timeouts > 1:  # a second silent deadline: give up (4 retries of 95 s would block 8 minutes)
                        raise
                self._wait(min(self.backoff_s * (2 ** (attempt - 1)), 8.0))
                if isinstance(e, ProtocolError) and attempt > 2:
                    raise

    # -- the contract -------------------------------------------------------------------
    def login(self, username: str, password: str) -> Dict[str, Any]:
        """Log in; keeps the tokens in memory; returns the user (username, role, county)."""
        data = self.call("POST", "/auth/login", {"username": username, "password": password}, auth=False)
        self._take_tokens(data)
        return self.user

    def refresh(self) -> None:
        if not self._refresh:
            raise AuthError(tr("Your session has expired: log in again"), expired=True)
        data = self.call("POST", "/auth/refresh", {"refresh_token": self._refresh}, auth=False, retry=False)
        self._take_tokens(data)

    def _take_tokens(self, data: Dict[str, Any]) -> None:
        if not data.get("access_token"):
            raise ProtocolError(tr("The platform sent a malformed reply (HTTP {0}): {1}").format(200, "no access_token"))
        self._access, self._refresh = data["access_token"], data.get("refresh_token")
        self.user = dict(data.get("user") or {})

    def logout(self) -> None:
        """End the session on the platform (its tokens stop working) and forget the tokens here."""
        try:
            if self._access:
                self.call("POST", "/auth/logout", {}, retry=False)
        except PlatformError:
            pass  # offline or already expired: the tokens are forgotten all the same
        finally:
            self.forget()

    def forget(self) -> None:
        """Forget the tokens without telling the platform."""
        self._access = self._refresh = None
        self.user = {}

    def me(self) -> Dict[str, Any]:
        """The logged-in account as the platform knows it (username, display_name, role, county, units)."""
        self.user = dict(self.call("GET", "/me"))
        return self.user

    def workflow(self) -> Dict[str, Any]:
        """The workflow policy the platform enforces (the raw configuration)."""
        data = self.call("GET", "/workflow")
        if not isinstance(data.get("policy"), dict):
            raise ProtocolError(tr("The platform sent a malformed reply (HTTP {0}): {1}").format(200, "no policy"))
        return data["policy"]

    def submit_audit(self, county: str, copy_id: str, items: List[Dict[str, Any]], copy_secret: str) -> Dict[str, Any]:
        """Send audit rows (transitions, returns, notes) in chain order; the platform performs the moves its
        policy allows the token's account and answers per row (accepted / rejected / noted). `copy_secret` proves
        the rows come from the working copy that started the chain (kept in the copy, never shown)."""
        data = self.call("POST", f"/counties/{county}/transitions",
                         {"copy_id": copy_id, "copy_secret": copy_secret, "items": items})
        results = data.get("results")
        if not isinstance(results, list) or len(results) != len(items):
            raise ProtocolError(tr("The platform sent a malformed reply (HTTP {0}): {1}").format(
                200, "results do not match the items sent"))
        return data

    def audit_head(self, county: str, copy_id: str) -> Dict[str, Any]:
        """The platform's head of this working copy's audit chain: {"head": hash, "count": n}."""
        return self.call("GET", f"/counties/{county}/audit/head?copy_id={copy_id}")

    def submit_exceptions(self, county: str, items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Send accepted / withdrawn exceptions; per-item results (accepted / rejected)."""
        data = self.call("POST", f"/counties/{county}/exceptions", {"items": items})
        results = data.get("results")
        if not isinstance(results, list) or len(results) != len(items):
            raise ProtocolError(tr("The platform sent a malformed reply (HTTP {0}): {1}").format(
                200, "results do not match the items sent"))
        return results

    def exceptions(self, county: str) -> List[Dict[str, Any]]:
        return list(self.call("GET", f"/counties/{county}/exceptions").get("items") or [])

    @property
    def logged_in(self) -> bool:
        return self._access is not None

    def quotas(self, county: str, year: Optional[int] = None) -> List[Dict[str, Any]]:
        q = f"?year={int(year)}" if year else ""
        return list(self.call("GET", f"/counties/{county}/quotas{q}").get("items") or [])

    def iter_pages(self, county: str, changed_since: Optional[str] = None,
                   page_size: int = 500) -> Iterator[Tuple[List[Dict[str, Any]], str, bool]]:
        """Pages of (GeoJSON features, cursor after this page, last page?) changed since a cursor."""
        cursor = changed_since or "0"
        while True:
            data = self.call("GET", f"/counties/{county}/patches?changed_since={cursor}&limit={int(page_size)}")
            feats = data.get("features")
            if not isinstance(feats, list) or "server_seq" not in data:
                raise ProtocolError(tr("The platform sent a malformed reply (HTTP {0}): {1}").format(
                    200, "no features/server_seq"))
            nxt = data.get("next_cursor")
            yield feats, str(nxt or data["server_seq"]), nxt is None
            if nxt is None:
                return
            cursor = str(nxt)

    def iter_patches(self, county: str, changed_since: Optional[str] = None,
                     page_size: int = 500) -> Iterator[Dict[str, Any]]:
        for feats, _cursor, _last in self.iter_pages(county, changed_since, page_size):
            yield from feats

    def upsert(self, items: List[Dict[str, Any]], county: str, idempotency_key: Optional[str] = None
               ) -> List[Dict[str, Any]]:
        """Batch upsert/delete; per-item results (accepted / conflict / rejected). Retries reuse the key."""
        key = idempotency_key or str(uuid.uuid4())
        data = self.call("POST", f"/counties/{county}/patches:batch", {"items": items}, {"Idempotency-Key": key})
        results = data.get("results")
        if not isinstance(results, list) or len(results) != len(items):
            raise ProtocolError(tr("The platform sent a malformed reply (HTTP {0}): {1}").format(
                200, "results do not match the items sent"))
        return results

    def audit(self, county: str, patch_id: Optional[str] = None) -> List[Dict[str, Any]]:
        q = f"?patch_id={patch_id}" if patch_id else ""
        return list(self.call("GET", f"/counties/{county}/audit{q}").get("items") or [])

    def download_basemap(self, county: str, dest_path: str, progress: Progress = None,
                         is_canceled: IsCanceled = None, chunk_bytes: int = 1 << 20) -> str:
        """Download the county's base-map package in Range chunks appended to `dest_path.part`, so an
        interrupted download resumes where it stopped (If-Range: a changed package starts over)."""
        part, etag_file = dest_path + ".part", dest_path + ".part.etag"
        etag = open(etag_file, encoding="utf-8").read().strip() if os.path.exists(etag_file) else ""
        if not etag and os.path.exists(part):
            os.remove(part)  # a part without its ETag cannot be trusted
        while True:
            if is_canceled and is_canceled():
                raise CanceledError(tr("Canceled"))
            have = os.path.getsize(part) if os.path.exists(part) else 0
            headers = {"Range": f"bytes={have}-{have + chunk_bytes - 1}"}
            if etag:
                headers["If-Range"] = etag
            status, content, hdrs = self._request("GET", f"/counties/{county}/basemap", headers=headers)
            if status >= 400:
                self._raise_for(status, self._json(status, content))
            if status == 200:  # whole file (no range support, or the package changed): start over
                have = 0
            total_text = (hdrs.get("content-range") or "").rpartition("/")[2]
            total = int(total_text) if total_text.isdigit() else have + len(content)
            with open(part, "ab" if status == 206 and have else "wb") as fh:
                fh.write(content)
            if hdrs.get("etag") and hdrs["etag"] != etag:
                etag = hdrs["etag"]
                with open(etag_file, "w", encoding="utf-8") as fh:
                    fh.write(etag)
            done = os.path.getsize(part)
            if progress:
                progress(min(done / total, 1.0) if total else 1.0)
            if done >= total or status == 200:
                break
        os.replace(part, dest_path)
        if os.path.exists(etag_file):
            os.remove(etag_file)
        return dest_path
