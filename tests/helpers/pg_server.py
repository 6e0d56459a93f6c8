"""A real PostgreSQL/PostGIS server for the tests and benchmarks: Debian's postgresql-15 and postgresql-15-postgis-3,
initdb into a temporary directory, listening only on a private Unix socket, started and stopped by the caller.
Nothing is mocked. `PgServer.available()` says why not when the packages are missing (the tests then skip).

As root (CI), the server runs as the `postgres` system user the Debian package creates (initdb refuses root)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from typing import Optional

BIN = "/usr/lib/postgresql/15/bin"
POSTGIS = "/usr/share/postgresql/15/extension/postgis.control"


class PgServer:
    """`base`: a directory of one's own (a benchmark's, kept between runs: a cluster already there is reused and
    started if it is not running); by default a new temporary one. `options`: more server settings (-c ...)."""

    OPTIONS = "-c fsync=off -c synchronous_commit=off"

    def __init__(self, dbname: str = "forestry", user: str = "forestry", base: Optional[str] = None,
                 options: str = "", start_timeout: int = 60):
        self.dbname, self.user = dbname, user
        # a short path: a Unix socket's path is limited to about 100 bytes
        self.base = base or tempfile.mkdtemp(prefix="pg", dir="/tmp")
        self.data, self.sock = os.path.join(self.base, "data"), os.path.join(self.base, "s")
        self.options, self.start_timeout = options, start_timeout
        fresh = not os.path.exists(os.path.join(self.data, "PG_VERSION"))
        os.makedirs(self.sock, exist_ok=True)
        self._as = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            for d in (self.base, self.sock):
                os.chown(d, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        if fresh:
            self._run([f"{BIN}/initdb", "-D", self.data, "-U", user, "--auth=trust", "-E", "UTF8",
                       "--locale=C.UTF-8"])
        if fresh or subprocess.run(self._as + [f"{BIN}/pg_ctl", "-D", self.data, "status"],
                                   capture_output=True).returncode != 0:
            self._run([f"{BIN}/pg_ctl", "-D", self.data, "-w", "-t", str(start_timeout), "-l",
                       os.path.join(self.base, "log"), "-o",
                       f"-k {self.sock} -c listen_addresses='' -p 5432 {self.OPTIONS} {options}".strip(), "start"])
        if fresh:
            self._run([f"{BIN}/createdb", "-h", self.sock, "-U", user, dbname])
            self.sql("CREATE EXTENSION postgis")

    @staticmethod
    def available() -> Optional[str]:
        """None when a server can be started here, else the reason it cannot."""
        if not os.path.exists(f"{BIN}/initdb"):
            return "PostgreSQL 15 is not installed (Debian package postgresql-15; `make setup` installs it)"
        if not os.path.exists(POSTGIS):
            return "PostGIS is not installed (Debian package postgresql-15-postgis-3; `make setup` installs it)"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root without the postgres system user"
        return None

    def _run(self, cmd) -> str:
        proc = subprocess.run(self._as + cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
        return proc.stdout

    @property
    def dsn(self) -> str:
        """libpq connection string (psycopg2, and GDAL/OGR as "PG:" + dsn)."""
        return f"host={self.sock} port=5432 dbname={self.dbname} user={self.user}"

    def connect(self):
        import psycopg2

        con = psycopg2.connect(self.dsn)
        con.autocommit = True
        return con

    def sql(self, statement: str, args=()):
        con = self.connect()
        try:
            with con.cursor() as cur:
                cur.execute(statement, args)
                return cur.fetchall() if cur.description else None
        finally:
            con.close()

    def stop(self, remove: bool = True) -> None:
        """Stop the server; remove its directory (remove=False: keep it, stopped cleanly, to be reused)."""
        try:
            self._run([f"{BIN}/pg_ctl", "-D", self.data, "-w", "-t", str(self.start_timeout), "-m",
                       "immediate" if remove else "fast", "stop"])
        finally:
            if remove:
                shutil.rmtree(self.base, ignore_errors=True)
