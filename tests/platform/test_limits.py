"""Reference platform limits over real sockets: half-sent requests do not block others and are closed after the
server's timeout, the number of connections served at once (one thread each) is bounded (503 beyond), and bad
Content-Length values are answered at once, without waiting for a body that never comes."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from reference_platform import server as srv
from reference_platform.server import start_server, stop_server

PW = srv.DEMO_PASSWORD
BOUND_S = 60.0  # generous: only a hang fails


def _login_body(user="demo_tech", password=PW) -> bytes:
    return json.dumps({"username": user, "password": password}).encode()


def _login_request(body: bytes = None) -> bytes:
    body = _login_body() if body is None else body
    return (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def _read_reply(s: socket.socket) -> bytes:
    out = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return out
        out += chunk


def _status(reply: bytes):
    line, _, rest = reply.partition(b"\r\n")
    head, _, body = rest.partition(b"\r\n\r\n")
    headers = {}
    for h in head.split(b"\r\n"):
        k, _, v = h.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode()
    return int(line.split()[1]), headers, (json.loads(body) if body else None)


def normal_login(server, token: bool = False):
    """A login over a fresh connection, as a client would send it; the HTTP status (or the access token)."""
    with socket.create_connection(server.server_address[:2], timeout=BOUND_S) as s:
        s.sendall(_login_request())
        status, _h, body = _status(_read_reply(s))
        if status == 200:
            assert body["access_token"]
        return body["access_token"] if token else status


def stall(server, n: int, partial_headers: int = 0):
    """n connections that send a request's headers (Content-Length: 1000) and a few body bytes, then stall; the first
    `partial_headers` of them stop in the middle of the headers instead."""
    socks = []
    for i in range(n):
        s = socket.create_connection(server.server_address[:2], timeout=BOUND_S)
        if i < partial_headers:
            s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Le")
        else:
            s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 1000\r\n\r\n{\"username\": \"demo")
        socks.append(s)
    return socks


def is_open(s: socket.socket) -> bool:
    """True while the peer has not closed the connection (no data is expected on it)."""
    s.setblocking(False)
    try:
        data = s.recv(1)
    except BlockingIOError:
        return True
    except OSError:  # reset
        return False
    finally:
        s.setblocking(True)
    return bool(data)


def wait_until(cond, bound=BOUND_S, step=0.1) -> bool:
    end = time.monotonic() + bound
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


@pytest.fixture()
def make_server(tmp_path):
    servers = []

    def make(**kw):
        server, url = start_server(str(tmp_path / f"platform{len(servers)}.sqlite"), **kw)
        servers.append((server, []))
        return server

    def hold(server, socks):
        for s, held in servers:
            if s is server:
                held.extend(socks)
        return socks

    make.hold = hold
    yield make
    for server, held in servers:
        for s in held:  # the server sees end of file at once: its threads end
            s.close()
        stop_server(server)


def test_timeout_is_configurable_and_defaults_to_30s(make_server):
    assert srv.Handler.timeout == 30 and srv.REQUEST_TIMEOUT == 30
    assert make_server().request_timeout == 30
    assert make_server(request_timeout=1.5).request_timeout == 1.5


def test_half_sent_requests_do_not_block_a_normal_login(make_server, qgis_app):
    from forestry_plugin.core.sync.client import PlatformClient

    server = make_server(request_timeout=BOUND_S * 3)  # longer than the test may take: the sockets stay held
    held = make_server.hold(server, stall(server, 50, partial_headers=5))
    assert wait_until(lambda: server.active_connections >= 50), server.active_connections
    t0 = time.monotonic()
    assert normal_login(server) == 200
    url = f"http://127.0.0.1:{server.server_address[1]}{srv.API}"
    assert PlatformClient(url, retries=0).login("demo_tech", PW)["username"] == "demo_tech"  # the plugin's client too
    assert time.monotonic() - t0 < BOUND_S
    assert all(is_open(s) for s in held), "the stalled connections were still held while the login was answered"


def test_stalled_connections_are_closed_after_the_timeout(make_server):
    server = make_server(request_timeout=1.0)
    held = make_server.hold(server, stall(server, 50, partial_headers=10))
    t0 = time.monotonic()
    assert wait_until(lambda: not any(is_open(s) for s in held)), \
        f"{sum(is_open(s) for s in held)} of 50 stalled connections still open"
    assert time.monotonic() - t0 >= 0.5  # closed by the timeout, not refused at once
    for s in held:  # closed without an answer (nothing of a reply was sent)
        s.setblocking(False)
        try:
            assert s.recv(65536) == b""
        except OSError:
            pass
    assert wait_until(lambda: server.active_connections == 0), server.active_connections
    assert normal_login(server) == 200


def test_connections_and_threads_are_bounded(make_server):
    server = make_server(max_connections=5)
    threads_before = threading.active_count()
    held = make_server.hold(server, stall(server, 5))
    assert wait_until(lambda: server.active_connections == 5)
    # more connections are answered 503 at once (without waiting for a slot), and start no thread
    for _ in range(20):
        with socket.create_connection(server.server_address[:2], timeout=BOUND_S) as s:
            t0 = time.monotonic()
            status, headers, body = _status(_read_reply(s))
            assert time.monotonic() - t0 < BOUND_S / 2
            assert status == 503 and body["error"] == "server_busy" and headers["retry-after"] == "1"
    assert server.refused_busy == 20 and server.active_connections == 5
    assert threading.active_count() - threads_before <= 5
    # a client that sends its request at once gets the 503 too (or, at worst, a reset: never a hang)
    with socket.create_connection(server.server_address[:2], timeout=BOUND_S) as s:
        s.sendall(_login_request())
        try:
            assert _status(_read_reply(s))[0] == 503
        except ConnectionResetError:
            pass
    # the slots come back when the stalled clients go away
    for s in held:
        s.close()
    assert wait_until(lambda: server.active_connections == 0), server.active_connections
    assert normal_login(server) == 200


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/counties/339901/exceptions"])
@pytest.mark.parametrize("length, status, code", [
    ("-1", 400, "bad_content_length"), ("abc", 400, "bad_content_length"), ("1e3", 400, "bad_content_length"),
    (str(200 * 1024 * 1024), 413, "payload_too_large"), (None, 411, "length_required")])
def test_bad_content_length_is_answered_without_reading_the_body(make_server, path, length, status, code):
    """The reply comes before the body (none is sent, the socket stays open for writing): the body is not read."""
    server = make_server(request_timeout=BOUND_S * 2)  # waiting for the body would take longer than the bound
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode()
    if "counties" in path:
        head += f"Authorization: Bearer {normal_login(server, token=True)}\r\n".encode()
    if length is not None:
        head += b"Content-Length: " + length.encode() + b"\r\n"
    with socket.create_connection(server.server_address[:2], timeout=BOUND_S) as s:
        t0 = time.monotonic()
        s.sendall(head + b"\r\n")
        got, headers, body = _status(_read_reply(s))  # the server closes after answering
        assert time.monotonic() - t0 < BOUND_S
    assert (got, body["error"]) == (status, code)
    assert headers.get("connection") == "close"


def test_chunked_bodies_are_refused_at_once(make_server):
    server = make_server(request_timeout=BOUND_S * 2)
    with socket.create_connection(server.server_address[:2], timeout=BOUND_S) as s:
        s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        got, _h, body = _status(_read_reply(s))
    assert (got, body["error"]) == (411, "length_required")
