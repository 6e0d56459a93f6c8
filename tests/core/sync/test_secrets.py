"""Nothing secret in messages or logs (issue 12, item 4).

Across sync scenarios — login and sync, a wrong password, mangled login replies (truncated JSON with HTTP 200 and
500, an HTML page holding the token, a reply cut off on the wire), an expired token and its refresh, 401/403
replies, server errors whose body echoes the Authorization header, and the sync panel's login with its message
bar — everything a user or a log could see is collected: QGIS's message log (all tags), Python logging, Qt's
messages, the process's stdout/stderr, str()/repr()/traceback of every exception raised in the plugin's code
(caught or not), SyncSummary.errors and the last summary kept in the working copy, and the panel's labels and
message bar. None of it may contain the password, an issued access/refresh token, nor "Bearer ". The working
copy's and the platform's files must not hold the password or a token in plain text either.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, List, Tuple

import pytest
from qgis.core import Qgis, QgsApplication, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, qInstallMessageHandler

import forestry_plugin
from forestry_plugin.core import geopackage
from forestry_plugin.core.project import load_working_copy
from forestry_plugin.core.sync.client import (
    AuthError,
    ForbiddenError,
    PlatformClient,
    PlatformError,
    ProtocolError,
    ServerError,
    ThrottledError,
)
from forestry_plugin.core.sync.engine import SyncEngine
from tests.helpers.platform_logins import PW, WRONG_PW
from tests.helpers.working_copies import new_copy, patch

PLUGIN_DIR = os.path.dirname(os.path.abspath(forestry_plugin.__file__))
USER = {"username": "demo_tech", "display_name": "示例县技术员", "role": "county_technician", "county": "339901",
        "units": ["339901"]}


# -- the collector -----------------------------------------------------------------------------------------------------


class Leaks:
    """Everything shown or logged during a test, and the secrets that must not be in it."""

    def __init__(self):
        self.texts: List[Tuple[str, str]] = []
        self.secrets = {PW, WRONG_PW}
        self.copy_secrets = set()
        self.exceptions = {}  # id -> exception, every one raised through the plugin's code
        self.lock = threading.Lock()

    def text(self, where: str, value) -> None:
        with self.lock:
            self.texts.append((where, value if isinstance(value, str) else repr(value)))

    def secret(self, *values) -> None:
        self.secrets.update(v for v in values if v)

    def error(self, where: str, e: BaseException) -> None:
        """str, repr, args and the formatted traceback of an exception and of what it was raised from."""
        seen, x = set(), e
        while x is not None and id(x) not in seen:
            seen.add(id(x))
            self.text(f"{where}: str", str(x))
            self.text(f"{where}: repr", repr(x))
            self.text(f"{where}: args", repr(getattr(x, "args", ())))
            x = x.__cause__ or x.__context__
        self.text(f"{where}: traceback", "".join(traceback.format_exception(type(e), e, e.__traceback__)))

    def expect(self, where: str, fn: Callable, *args, exc=PlatformError, **kwargs) -> BaseException:
        try:
            fn(*args, **kwargs)
        except exc as e:
            self.error(where, e)
            return e
        raise AssertionError(f"{where}: no {exc.__name__} raised")

    def summary(self, where: str, summary, engine: SyncEngine) -> None:
        self.text(f"{where}: SyncSummary.errors", "\n".join(summary.errors))
        self.text(f"{where}: SyncSummary", repr(summary))
        self.text(f"{where}: last_summary", json.dumps(engine.last_sync_summary(), ensure_ascii=False))
        self.sync_state(where, engine.path)

    def sync_state(self, where: str, path: str) -> None:
        with geopackage.connect(path) as con:
            for key, value in con.execute("SELECT key, value FROM sync_state"):
                if key == "copy_secret":
                    self.copy_secrets.add(value)  # never shown either
                else:
                    self.text(f"{where}: sync_state {key}", str(value))

    def files(self, where: str, *paths: str) -> None:
        """The bytes of files (and their -wal/-journal) must not hold a password or token in plain text (a working
        copy keeps its own copy secret: that one is only never shown)."""
        for path in paths:
            for suffix in ("", "-wal", "-journal"):
                if os.path.exists(path + suffix):
                    with open(path + suffix, "rb") as fh:
                        data = fh.read()
                    for s in self.secrets:
                        assert s.encode() not in data, f"{where}: {os.path.basename(path + suffix)} holds {s[:6]}…"

    def check(self) -> None:
        QCoreApplication.processEvents()  # queued message-log signals from other threads
        for e in list(self.exceptions.values()):
            self.error("raised in the plugin", e)
        problems = []
        for where, text in self.texts:
            for s in self.secrets | self.copy_secrets:
                if s in text:
                    problems.append(f"{where} holds {s[:6]}…: {text[:400]!r}")
            if "Bearer " in text:
                problems.append(f"{where} holds 'Bearer ': {text[:400]!r}")
        assert not problems, "\n".join(problems)
        assert len(self.texts) > 5  # something was collected


@pytest.fixture()
def leaks(qgis_app, monkeypatch, capfd):
    """Collect the message log, Python logging, Qt messages, stdout/stderr and every exception raised in the plugin's
    code; record every token the client takes. A test ends with finish(leaks, capfd)."""
    collector = Leaks()
    # tokens: every pair the client takes (login, refresh)
    original_take = PlatformClient._take_tokens

    def take(self, data):
        if isinstance(data, dict):
            collector.secret(data.get("access_token"), data.get("refresh_token"))
        return original_take(self, data)

    monkeypatch.setattr(PlatformClient, "_take_tokens", take)
    # QGIS's message log, every tag
    log = QgsApplication.messageLog()

    def on_message(message, tag, level):
        collector.text(f"message log [{tag}]", message)

    log.messageReceived.connect(on_message)
    # Python logging: a root handler at DEBUG

    class Keep(logging.Handler):
        def emit(self, record):
            collector.text(f"logging [{record.name}]", self.format(record))

    handler, root = Keep(logging.DEBUG), logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # Qt's own messages (qDebug/qWarning)
    previous_qt = qInstallMessageHandler(lambda mode, context, message: collector.text("Qt message", message))

    # every exception raised through a frame of the plugin's code, even those caught there
    def local(frame, event, arg):
        if event == "exception":
            collector.exceptions.setdefault(id(arg[1]), arg[1])
        return local

    def tracer(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(PLUGIN_DIR):
            frame.f_trace_lines = False
            return local
        return None

    old_trace, old_thread_trace = sys.gettrace(), threading.gettrace()  # (a coverage tool's, if any)
    sys.settrace(tracer)
    threading.settrace(tracer)
    try:
        yield collector
    finally:
        sys.settrace(old_trace)
        threading.settrace(old_thread_trace)
        qInstallMessageHandler(previous_qt)
        root.removeHandler(handler)
        root.setLevel(old_level)
        try:
            log.messageReceived.disconnect(on_message)
        except TypeError:
            pass


def finish(leaks: Leaks, capfd) -> None:
    """Add what the process wrote to stdout/stderr, then check everything collected."""
    out, err = capfd.readouterr()
    leaks.text("stdout", out)
    leaks.text("stderr", err)
    leaks.check()


# -- helpers -----------------------------------------------------------------------------------------------------------


def working_copy(tmp_path, name="wc.gpkg", styles=False) -> str:
    """A working copy of county 339901 with 5 new patches, one of which the platform refuses (its summary errors)."""
    return new_copy(tmp_path, name, [patch(i) for i in range(1, 5)] + [patch(5, species="nope")],
                    county_name="示例县", store_styles=styles)


def quick(url, **kw) -> PlatformClient:
    return PlatformClient(url, retries=kw.pop("retries", 1), sleep=lambda s: None, **kw)


class FakePlatform:
    """A platform double on 127.0.0.1: `reply(method, path, headers, body)` -> (status, content type, bytes) or
    (status, content type, bytes, cut) to send only `cut` bytes of a body whose Content-Length says more."""

    def __init__(self, reply):
        self.reply = reply
        self.seen: List[Tuple[str, str, dict, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                outer.seen.append((self.command, self.path, dict(self.headers), body))
                status, ctype, data, *cut = outer.reply(self.command, self.path, self.headers, body)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data[:cut[0]] if cut else data)
                self.wfile.flush()
                self.close_connection = True

            do_GET = do_POST = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/v1"

    def authorizations(self) -> List[str]:
        return [h.get("Authorization") for _m, _p, h, _b in self.seen if h.get("Authorization")]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def fakes():
    made = []

    def make(reply):
        f = FakePlatform(reply)
        made.append(f)
        return f

    yield make
    for f in made:
        f.close()


def token_pair(leaks: Leaks) -> Tuple[str, str]:
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    leaks.secret(access, refresh)
    return access, refresh


def login_json(access: str, refresh: str) -> bytes:
    return json.dumps({"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "expires_in": 3600,
                       "user": USER}).encode()


def mangled_replies(leaks: Leaks):
    """(name, reply function) of login replies mangled on the way, each holding tokens."""
    access, refresh = token_pair(leaks)
    full = login_json(access, refresh)
    cut = full[:120]  # the access token and part of the refresh token (the old leak quoted exactly these bytes)
    assert access.encode() in cut and refresh[:5].encode() in cut
    page = (f"<html><body><h1>Proxy error</h1><pre>upstream said: {full.decode()}\nAuthorization: Bearer {access}"
            f"</pre></body></html>").encode()
    return [
        ("200 truncated JSON", lambda *a: (200, "application/json", cut)),
        ("500 truncated JSON", lambda *a: (500, "application/json", cut)),
        ("200 HTML page", lambda *a: (200, "text/html", page)),
        ("502 HTML page", lambda *a: (502, "text/html", page)),
        ("200 cut on the wire", lambda *a: (200, "application/json", full, 120)),
        ("200 JSON array", lambda *a: (200, "application/json", json.dumps([access, refresh]).encode())),
        ("200 other keys", lambda *a: (200, "application/json", json.dumps(
            {"accessToken": access, "refreshToken": refresh, "message": f"token={access}"}).encode())),
        ("400 echoing the body", lambda m, p, h, body: (400, "application/json", json.dumps(
            {"error": "bad_request", "message": f"cannot use {body.decode()}; access_token={access}"}).encode())),
        ("401 echoing the password", lambda m, p, h, body: (401, "application/json", json.dumps(
            {"error": "invalid_credentials", "message": f"wrong password {PW}"}).encode())),
        ("403 echoing the body", lambda m, p, h, body: (403, "application/json", json.dumps(
            {"error": "forbidden", "message": f"refused {body.decode()}"}).encode())),
        ("500 echoing the body", lambda m, p, h, body: (500, "application/json", json.dumps(
            {"error": "internal", "message": f"crashed on {body.decode()} giving {full.decode()}"}).encode())),
    ]


def echoing_platform(leaks: Leaks, fakes, status: int = 500, html: bool = False, expire_first: bool = False):
    """A platform whose login works (a known token pair) and whose other replies echo the request's headers (with
    its Authorization) in their error body; `expire_first`: the first API call answers token_expired, and the
    refresh echoes its body."""
    access, refresh = token_pair(leaks)
    state = {"expired_sent": False}

    def reply(method, path, headers, body):
        if path.endswith("/auth/login"):
            return 200, "application/json", login_json(access, refresh)
        echoed = "".join(f"{k}: {v}\n" for k, v in headers.items())
        if path.endswith("/auth/refresh"):
            return 500, "application/json", json.dumps(
                {"error": "internal", "message": f"refresh failed for {body.decode()} with\n{echoed}"}).encode()
        if expire_first and not state["expired_sent"]:
            state["expired_sent"] = True
            return 401, "application/json", json.dumps(
                {"error": "token_expired", "message": f"expired: {headers.get('Authorization')}"}).encode()
        if html:
            return status, "text/html", f"<html><pre>Traceback...\nHTTP_AUTHORIZATION={headers.get('Authorization')}"\
                                        f"\n{echoed}</pre></html>".encode()
        return status, "application/json", json.dumps(
            {"error": "internal" if status >= 500 else "denied", "message": f"failed with headers\n{echoed}",
             "problem": f"auth {headers.get('Authorization')}"}).encode()

    return fakes(reply), access


# -- client and engine scenarios ---------------------------------------------------------------------------------------


def test_login_and_sync_leave_no_secret(leaks, capfd, platform, tmp_path):
    server, url = platform
    path = working_copy(tmp_path)
    client = quick(url)
    client.login("demo_tech", PW)
    assert client._access and client._access in leaks.secrets  # noqa: SLF001
    leaks.text("repr(client)", repr(client))
    engine = SyncEngine(path, client)
    engine.adopt_session()
    summary = engine.push()
    assert summary.accepted == 4 and summary.rejected == 1 and summary.errors
    leaks.summary("push", summary, engine)
    summary = engine.pull()
    leaks.summary("pull", summary, engine)
    # a second copy pulls what the first pushed
    other = working_copy(tmp_path, "other.gpkg")
    engine2 = SyncEngine(other, quick(url))
    engine2.client.login("demo_county", PW)
    leaks.summary("pull 2", engine2.pull(), engine2)
    leaks.summary("push 2", engine2.push(), engine2)
    client.logout()
    engine2.client.logout()
    leaks.files("after sync", path, other, server.db.path)
    finish(leaks, capfd)


def test_wrong_password_and_throttling(leaks, capfd, platform, tmp_path):
    server, url = platform
    client = quick(url)
    e = leaks.expect("wrong password", client.login, "demo_tech", WRONG_PW, exc=AuthError)
    assert not e.expired and "Wrong user name or password" in str(e)
    server.throttle = {"user_failures": 2, "address_failures": 50, "window_s": 900, "lockout_s": 60}
    leaks.expect("wrong password", client.login, "demo_tech", WRONG_PW, exc=AuthError)
    leaks.expect("throttled", client.login, "demo_tech", PW, exc=ThrottledError)
    leaks.files("after failed logins", server.db.path)
    finish(leaks, capfd)


def test_mangled_login_replies(leaks, capfd, fakes, tmp_path):
    for name, reply in mangled_replies(leaks):
        fake = fakes(reply)
        for password in (PW, WRONG_PW):
            e = leaks.expect(name, quick(fake.url).login, "demo_tech", password)
            assert isinstance(e, (ProtocolError, ServerError, AuthError, ForbiddenError)), (name, e)
            assert str(e).strip(), name
    finish(leaks, capfd)


def test_expired_token_refresh_and_refused_refresh(leaks, capfd, platform, tmp_path):
    server, url = platform
    path = working_copy(tmp_path)
    client = quick(url)
    server.faults["access_ttl"] = -1  # tokens issued now are already expired
    client.login("demo_tech", PW)
    server.faults["access_ttl"] = 3600
    before = set(leaks.secrets)
    engine = SyncEngine(path, client)
    leaks.summary("push after refresh", engine.push(), engine)  # refreshed transparently
    assert leaks.secrets - before, "the refresh issued new tokens"
    # a refresh token used elsewhere first: this client's refresh is refused (reuse) and the session ends
    server.faults["access_ttl"] = -1
    client.login("demo_tech", PW)
    server.faults["access_ttl"] = 3600
    thief = quick(url)
    thief._refresh = client._refresh  # noqa: SLF001
    thief.refresh()
    e = leaks.expect("refused refresh", SyncEngine(path, client).pull, exc=AuthError)
    assert e.expired
    leaks.expect("revoked session", thief.quotas, "339901", exc=AuthError)
    leaks.files("after refresh", path, server.db.path)
    finish(leaks, capfd)


def test_401_and_403_replies(leaks, capfd, platform, tmp_path):
    server, url = platform
    other = quick(url)
    other.login("demo_tech_other", PW)
    leaks.expect("403", other.quotas, "339901", exc=ForbiddenError)
    leaks.expect("403 engine", SyncEngine(working_copy(tmp_path), other).pull, exc=ForbiddenError)
    client = quick(url)
    client.login("demo_tech", PW)
    copy = quick(url)
    copy._access, copy._refresh = client._access, client._refresh  # noqa: SLF001
    client.logout()  # ends the session family on the platform
    leaks.expect("401 revoked", copy.quotas, "339901", exc=AuthError)
    unknown = quick(url)
    unknown._access = secrets.token_urlsafe(32)  # noqa: SLF001
    leaks.secret(unknown._access)  # noqa: SLF001
    leaks.expect("401 unknown token", unknown.me, exc=AuthError)
    finish(leaks, capfd)


@pytest.mark.parametrize("status, html", [(500, False), (500, True), (502, True), (400, False), (401, False),
                                          (403, False), (409, False)])
def test_errors_echoing_the_authorization_header(leaks, capfd, fakes, tmp_path, status, html):
    fake, access = echoing_platform(leaks, fakes, status, html)
    client = quick(fake.url)
    client.login("demo_tech", PW)
    leaks.expect(f"{status} echo: workflow", client.workflow)
    leaks.expect(f"{status} echo: engine", SyncEngine(working_copy(tmp_path), client).pull)
    assert f"Bearer {access}" in fake.authorizations()  # the token really went out, and came back in the bodies
    client.logout()  # the logout's error is swallowed: still nothing shown
    finish(leaks, capfd)


def test_refresh_failure_echoing_the_refresh_token(leaks, capfd, fakes, tmp_path):
    fake, _access = echoing_platform(leaks, fakes, expire_first=True)
    client = quick(fake.url)
    client.login("demo_tech", PW)
    e = leaks.expect("refresh echo", client.quotas, "339901", exc=ServerError)
    assert "HTTP 500" in str(e)
    assert any(p.endswith("/auth/refresh") for _m, p, _h, _b in fake.seen)
    finish(leaks, capfd)


def test_no_api_reply_is_kept_in_the_network_cache(leaks, capfd, platform, fakes):
    """QGIS caches GET replies on disk, and 3.22 answers a later failed request for the same URL with the cached
    reply (HTTP 200, the old body): the client keeps no API reply there, so user and patch data stay off the disk and
    a failure is never taken for an (old) answer."""
    from qgis.core import QgsNetworkAccessManager
    from qgis.PyQt.QtCore import QUrl

    server, url = platform
    client = quick(url)
    client.login("demo_tech", PW)
    client.me()
    client.workflow()
    cache = QgsNetworkAccessManager.instance().cache()
    for path in ("/me", "/workflow", "/auth/login"):
        assert not cache.metaData(QUrl(url + path)).isValid(), path
    folder = cache.cacheDirectory() if hasattr(cache, "cacheDirectory") else ""
    if folder and os.path.isdir(folder):
        for dirpath, _dirs, names in os.walk(folder):
            leaks.files("network cache", *(os.path.join(dirpath, n) for n in names))
    # a failure after a success on the same URL: an error, not the earlier answer
    state = {"n": 0}
    access, refresh = token_pair(leaks)

    def reply(method, path, headers, body):
        if path.endswith("/auth/login"):
            return 200, "application/json", login_json(access, refresh)
        state["n"] += 1
        return (200, "application/json", b'{"head": "OLD", "count": 3}') if state["n"] == 1 else \
            (500, "application/json", b"")

    fake = fakes(reply)
    client = quick(fake.url, retries=0)
    client.login("demo_tech", PW)
    assert client.audit_head("339901", "copy-1") == {"head": "OLD", "count": 3}
    leaks.expect("500 after a cached 200", client.audit_head, "339901", "copy-1", exc=ServerError)
    finish(leaks, capfd)


# -- the sync panel and its message bar ----------------------------------------------------------------------------------


class QuickClient(PlatformClient):
    """The panel's client without the long back-off between retries (the messages are the same)."""

    def __init__(self, base_url, feedback=None, **kw):
        super().__init__(base_url, feedback, retries=1, sleep=lambda s: None)


@pytest.fixture()
def panel(qgis_iface, qgis_new_project, tmp_path, monkeypatch):
    from forestry_plugin.gui import sync_panel
    from forestry_plugin.gui.sync_panel import SyncPanel

    monkeypatch.setattr(sync_panel, "PlatformClient", QuickClient)

    path = working_copy(tmp_path, "panel.gpkg", styles=True)
    load_working_copy(path, QgsProject.instance())
    qgis_iface.messageBar().clear_messages()
    p = SyncPanel(qgis_iface)
    p.ask = lambda title, text: True
    yield p
    p.disconnect_project()
    p.deleteLater()
    QgsProject.instance().clear()


def _panel_texts(leaks: Leaks, panel, iface, where: str) -> None:
    for level, messages in iface.messageBar().messages.items():
        for m in messages:
            leaks.text(f"{where}: message bar ({level})", m)
    for label in ("user_label", "changes_label", "summary_label"):
        leaks.text(f"{where}: {label}", getattr(panel, label).text())
    iface.messageBar().clear_messages()


def test_sync_panel_login_and_message_bar(leaks, capfd, panel, qgis_iface, platform, platform_logins, fakes, tmp_path):
    server, url = platform
    good, bad = platform_logins
    bar = qgis_iface.messageBar()
    # wrong password
    panel.url_edit.setText(url)
    panel.auth_select.setConfigId(bad)
    assert not panel.login()
    assert any("Wrong user name or password" in m for m in bar.messages[Qgis.Warning]), bar.messages
    _panel_texts(leaks, panel, qgis_iface, "wrong password")
    # mangled login replies
    panel.auth_select.setConfigId(good)
    for name, reply in mangled_replies(leaks):
        panel.url_edit.setText(fakes(reply).url)
        assert not panel.login(), name
        _panel_texts(leaks, panel, qgis_iface, f"panel, {name}")
    # a platform echoing the Authorization header in its 500s: login works, the policy and the sync fail
    fake, access = echoing_platform(leaks, fakes)
    panel.url_edit.setText(fake.url)
    assert panel.login()
    panel.start("download", wait=True)
    assert panel.failed_action == "download"
    _panel_texts(leaks, panel, qgis_iface, "panel, echoing 500")
    panel.logout()
    # the real platform: login and sync (one patch refused: its reasons are in the summary)
    panel.url_edit.setText(url)
    assert panel.login()
    panel.start("sync", wait=True)
    assert panel.failed_action is None
    path = panel.working_copy()
    leaks.sync_state("panel sync", path)
    _panel_texts(leaks, panel, qgis_iface, "panel, sync")
    # an expired access token: refreshed without a word
    server.faults["access_ttl"] = -1
    assert panel.login()
    server.faults["access_ttl"] = 3600
    panel.start("download", wait=True)
    assert panel.failed_action is None
    _panel_texts(leaks, panel, qgis_iface, "panel, refreshed")
    # the session ended elsewhere: the panel says to log in again
    ender = quick(url)
    ender._access, ender._refresh = panel.client._access, panel.client._refresh  # noqa: SLF001
    ender.logout()
    panel.start("upload", wait=True)
    assert panel.failed_action == "upload"
    _panel_texts(leaks, panel, qgis_iface, "panel, session ended")
    # only the URL and the authcfg id are remembered
    settings = QgsSettings()
    for key in settings.allKeys():
        leaks.text(f"QgsSettings {key}", str(settings.value(key)))
    leaks.files("panel", path, server.db.path)
    finish(leaks, capfd)


@pytest.mark.parametrize("text,secret", [
    ("{'password': 'hunter22'}", "hunter22"),  # a Python repr echoed back
    ("client_secret=abcd1234&x=1", "abcd1234"),
    ('{"id_token": "eyJabc.def"}', "eyJabc.def"),
    ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
    ("'Authorization': 'Bearer tok123456'", "tok123456"),
    ("api_key: kkkk9999 rest", "kkkk9999"),
])
def test_redact_hides_secrets_in_every_echo_shape(text, secret):
    from forestry_plugin.core.sync.client import redact

    assert secret not in redact(text)
