"""A TCP proxy between the plugin and the reference platform that injects network faults, for the convergence tests.

Each HTTP request that crosses it is matched against a plan (`FaultProxy.plan(method, path)` returns a fault or None)
and then:

- None: forwarded, the reply returned;
- "drop_before": the connection closed before anything reaches the platform;
- "drop_after": forwarded and answered by the platform, then the connection closed (the client never hears);
- "cut": forwarded, then half the reply sent and the connection closed;
- "reset": forwarded, part of the reply sent, then a TCP reset;
- "stall_before" / "stall_after": not forwarded / forwarded, then no reply at all until the client gives up
  (its deadline ends the request; nothing here depends on timing: the reply never comes);
- "hold": forwarded and answered, then `on_hold(method, path)` is called before the connection is closed without a
  reply (a test kills the syncing process there: it dies while its request has been applied).

Faults never depend on timing: the same plan gives the same outcome. `log` records (method, path, fault).
"""

from __future__ import annotations

import random
import re
import socket
import struct
import threading
from typing import Callable, List, Optional, Tuple

FAULTS = ("drop_before", "drop_after", "cut", "reset", "stall_before", "stall_after")


def read_message(conn: socket.socket) -> bytes:
    """One HTTP message (head + Content-Length body), or b"" when the peer closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class FaultProxy:
    def __init__(self, upstream_port: int):
        self.upstream = upstream_port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.plan: Callable[[str, str], Optional[str]] = lambda method, path: None
        self.on_hold: Callable[[str, str], None] = lambda method, path: None
        self.log: List[Tuple[str, str, Optional[str]]] = []
        self.lock = threading.Lock()
        self.running = True
        self._stalled: List[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    # -- plans ----------------------------------------------------------------------------
    def fail(self, pattern: str, fault: str, times: int = 1, method: Optional[str] = None) -> None:
        """The next `times` requests whose path matches `pattern` (regex) get `fault`; the rest pass."""
        left = [times]
        previous = self.plan

        def plan(m, path):
            if left[0] > 0 and re.search(pattern, path) and (method is None or m == method):
                left[0] -= 1
                return fault
            return previous(m, path)

        self.plan = plan

    def random_faults(self, seed: int, rate: float, faults=FAULTS) -> None:
        """Every request gets a fault with probability `rate`, drawn from a seeded generator (login excepted)."""
        rng = random.Random(seed)

        def plan(_m, path):
            if "/auth/" in path:
                return None
            return rng.choice(faults) if rng.random() < rate else None

        self.plan = plan

    def clear(self) -> None:
        self.plan = lambda method, path: None

    # -- serving --------------------------------------------------------------------------
    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            while self.running:
                request = read_message(conn)
                if not request:
                    return
                line = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
                method, path = line[0], line[1] if len(line) > 1 else ""
                with self.lock:
                    fault = self.plan(method, path)
                    self.log.append((method, path, fault))
                if fault in ("drop_before",):
                    return
                if fault == "stall_before":
                    self._stall(conn)
                    return
                with socket.create_connection(("127.0.0.1", self.upstream)) as up:
                    up.sendall(request)
                    reply = read_message(up)
                if fault == "drop_after":
                    return
                if fault == "stall_after":
                    self._stall(conn)
                    return
                if fault == "hold":
                    self.on_hold(method, path)
                    return
                if fault == "cut":
                    conn.sendall(reply[: max(1, len(reply) // 2)])
                    return
                if fault == "reset":
                    conn.sendall(reply[: max(1, len(reply) // 3)])
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                conn.sendall(reply)
        except OSError:
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _stall(self, conn: socket.socket) -> None:
        """Say nothing until the client closes the connection (or the proxy stops)."""
        try:
            while self.running and conn.recv(65536):
                pass
        except OSError:
            pass

    def close(self) -> None:
        self.running = False
        self.sock.close()
