"""A real read-only WFS 2.0 server for the tests: MapServer 8 (Debian's cgi-mapserver, /usr/bin/mapserv) behind a
small HTTP front on 127.0.0.1 that runs mapserv as a CGI program per request.

    server = MapServer(data_dir, description=None, integer=(), user="", password="")
    server.publish(features, changed_at="2025-01-01T00:00:00Z")   # the province's own writes, behind WFS
    ... server.url ... server.requests ...
    server.stop()

The patch layer is the one QGIS Server publishes in the WFS-T tests (`wfs_serve.make_project`: the plugin's synced
fields, a version and a change time, or the layer a service description describes, `integer` columns as whole
numbers), written to DATA_DIR/patches.gpkg; DATA_DIR/wfs.map publishes it for WFS 2.0.0 (and 1.1.0): every request
enabled, every attribute included, GML 3.2 and GeoJSON (an OGR output format) offered, EPSG:4490. MapServer has no
WFS-T: a Transaction is refused by MapServer itself (the front passes everything through, and counts it).
`requests` records (method, query string, body bytes) of every request that reached the front. With `user`, every
request needs that HTTP Basic login (401 otherwise).

Run as a script (`python tests/helpers/mapserver_serve.py DATA_DIR`), it serves until killed and prints the port.
"""

from __future__ import annotations

import base64
import datetime as _dt
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import parse_qsl, urlencode, urlsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # the checkout

MAPSERV = "/usr/bin/mapserv"
GEOJSON = "application/json; subtype=geojson"  # the MIME type the mapfile gives its OGR GeoJSON output format


def available() -> bool:
    return os.access(MAPSERV, os.X_OK)


MAPFILE = """MAP
  NAME "forestry"
  EXTENT 73 3 136 54
  PROJECTION "init=epsg:4490" END
  CONFIG "MS_ERRORFILE" "stderr"
  OUTPUTFORMAT
    NAME "geojson"
    DRIVER "OGR/GEOJSON"
    MIMETYPE "{geojson}"
    FORMATOPTION "STORAGE=stream"
    FORMATOPTION "FORM=SIMPLE"
    FORMATOPTION "LCO:COORDINATE_PRECISION=9"
  END
  WEB
    METADATA
      "ows_title" "Forestry patches (tests)"
      "ows_onlineresource" "{url}"
      "ows_srs" "EPSG:4490"
      "wfs_enable_request" "*"
      "wfs_getfeature_formatlist" "geojson"
    END
  END
  LAYER
    NAME "{name}"
    TYPE POLYGON
    STATUS ON
    CONNECTIONTYPE OGR
    CONNECTION "{gpkg}"
    DATA "{name}"
    PROJECTION "init=epsg:4490" END
    METADATA
      "wfs_title" "{name}"
      "wfs_srs" "EPSG:4490"
      "gml_include_items" "all"
      "gml_types" "auto"
      "gml_featureid" "{key}"
      "gml_geometries" "{geometry}"
      "gml_{geometry}_type" "multipolygon"
      "wfs_geometry_precision" "9"
      "wfs_getfeature_formatlist" "geojson"
    END
  END
END
"""


class MapServer:
    """MapServer publishing a patch layer read-only over WFS 2.0 on 127.0.0.1 at a free port (see the module)."""

    def __init__(self, data_dir: str, description: Optional[Dict[str, Any]] = None, integer: Sequence[str] = (),
                 user: str = "", password: str = ""):
        """See the module. `ignored` (set after start): query parameters the front leaves out before MapServer
        sees them, acting out a server that ignores them ({"STARTINDEX"}: a server that does not page)."""
        from tests.helpers import wfs_serve  # QGIS's own writer: the layer QGIS Server publishes in test_wfs.py

        if not available():
            raise RuntimeError(f"{MAPSERV} is not installed (Debian package cgi-mapserver)")
        self.data_dir = data_dir
        self.description = dict(description or {})
        self.integer = tuple(integer)
        self.name, self.columns = wfs_serve.layout(self.description, self.integer)
        wfs_serve.make_project(data_dir, "EPSG:4490", self.description, self.integer)  # patches.gpkg (+ a .qgs)
        self.gpkg = os.path.join(data_dir, "patches.gpkg")
        self.key = self.description.get("id_field") or "patch_id"
        self.requests: List[Tuple[str, str, int]] = []
        self.errors: List[str] = []  # what mapserv wrote on stderr
        self.ignored: set = set()
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode() if user else ""
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self, method: str) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                query = urlsplit(self.path).query
                server.requests.append((method, query, len(body)))
                if expected and self.headers.get("Authorization") != expected:
                    self._answer(401, b"unauthorized", [("WWW-Authenticate", 'Basic realm="wfs"')])
                    return
                if server.ignored:
                    query = urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                                       if k.upper() not in server.ignored])
                status, headers, content = server.cgi(method, query, body, self.headers.get("Content-Type") or "")
                self._answer(status, content, headers)

            def _answer(self, status: int, body: bytes, headers=()) -> None:
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                self._handle("GET")

            def do_POST(self):  # noqa: N802
                self._handle("POST")

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/wfs"
        self.mapfile = os.path.join(data_dir, "wfs.map")
        self.config = os.path.join(data_dir, "mapserver.conf")
        with open(self.mapfile, "w", encoding="utf-8") as fh:
            fh.write(MAPFILE.format(geojson=GEOJSON, url=self.url + "?", name=self.name, gpkg=self.gpkg,
                                    key=self.key, geometry=self.description.get("geometry_name") or "geometry"))
        with open(self.config, "w", encoding="utf-8") as fh:  # MapServer 8 reads its map only from the config
            fh.write(f'CONFIG\n  ENV\n    MS_MAPFILE "{self.mapfile}"\n  END\nEND\n')
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="mapserver-front", daemon=True)
        self._thread.start()

    # -- the CGI call -------------------------------------------------------------------------
    def cgi(self, method: str, query: str, body: bytes, content_type: str) -> Tuple[int, List[Tuple[str, str]], bytes]:
        """Run mapserv once as a CGI program; (HTTP status, headers, body) of its reply."""
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MAPSERVER_CONFIG_FILE": self.config,
               "MS_MAPFILE": self.mapfile, "REQUEST_METHOD": method, "QUERY_STRING": query,
               "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": str(self.port), "SCRIPT_NAME": "/wfs"}
        if method == "POST":
            env.update(CONTENT_TYPE=content_type or "text/xml", CONTENT_LENGTH=str(len(body)))
        try:
            done = subprocess.run([MAPSERV], input=body, env=env, capture_output=True, timeout=60)
        except subprocess.TimeoutExpired:
            return 504, [("Content-Type", "text/plain")], b"mapserv did not answer"
        if done.stderr:
            self.errors.append(done.stderr.decode("utf-8", "replace"))
        out = done.stdout
        # the CGI reply: header lines, an empty line, the body
        ends = [(i, len(sep)) for sep in (b"\r\n\r\n", b"\n\n") for i in [out.find(sep)] if i >= 0]
        if not ends:
            return 500, [("Content-Type", "text/plain")], b"mapserv sent no CGI reply"
        cut, width = min(ends)
        head, content = out[:cut], out[cut + width:]
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _sep, value = line.partition(":")
            if name.strip().lower() == "status":
                status = int(value.split()[0])
            elif name.strip():
                headers.append((name.strip(), value.strip()))
        return status, headers, content

    # -- what the tests look at ------------------------------------------------------------------
    @property
    def posts(self) -> List[Tuple[str, str, int]]:
        return [r for r in self.requests if r[0] != "GET"]

    def calls(self, request: str = "GetFeature") -> List[Dict[str, str]]:
        """The query parameters (names in capitals, values decoded) of the requests of one kind."""
        out = []
        for _m, query, _n in self.requests:
            params = {k.upper(): v for k, v in parse_qsl(query, keep_blank_values=True)}
            if params.get("REQUEST", "").lower() == request.lower():
                out.append(params)
        return out

    def rows(self) -> List[Dict[str, Any]]:
        """What the server publishes, read from its GeoPackage (not through WFS)."""
        import sqlite3

        con = sqlite3.connect(self.gpkg)
        con.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in con.execute(f'SELECT * FROM "{self.name}"')]
        finally:
            con.close()

    def write(self, sql: str, args=()) -> None:
        """The province changes its data behind WFS (its GeoPackage, with the R-tree triggers' functions)."""
        from forestry_plugin.core import geopackage

        with geopackage.connect(self.gpkg) as con:
            con.execute(sql, args)

    def publish(self, features: Iterable[Tuple[Dict[str, Any], bytes]], changed_at: Any = None, version: int = 1,
                epsg: int = 4549) -> None:
        """Write patches into the served layer as the province's own system would: `features` are (attributes,
        WKB in EPSG:`epsg`) pairs in the plugin's names and codes (as working_copies.patch gives them), stored
        under the description's names and with its code tables' codes (whole numbers in `integer` columns).
        `changed_at`: one change time for all, or a function of the feature's index."""
        from osgeo import ogr, osr

        from forestry_plugin import schema

        d = self.description
        names = d.get("fields") or {}
        tables = {}
        for t in (d.get("code_tables") or {}).values():
            users = [f.name for f in schema.PATCH_FIELDS if f.synced and f.code_list == t["code_list"]]
            tables[t.get("field") or users[0]] = t["codes"]
        src, dst = osr.SpatialReference(), osr.SpatialReference()
        src.ImportFromEPSG(epsg)
        dst.ImportFromEPSG(4490)
        for s in (src, dst):
            s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        ct = osr.CoordinateTransformation(src, dst)
        ds = ogr.Open(self.gpkg, 1)
        try:
            layer = ds.GetLayerByName(self.name)
            defn = layer.GetLayerDefn()
            for i, (attrs, wkb) in enumerate(features):
                f = ogr.Feature(defn)
                for ours, value in attrs.items():
                    if ours in ("revision", "server_version") or value is None:
                        continue
                    theirs = {"patch_id": d.get("id_field"), "county_code": d.get("county_field")}.get(ours) or \
                        (names[ours] if ours in names else ours)
                    if not theirs or defn.GetFieldIndex(theirs) < 0:
                        continue
                    value = tables.get(ours, {}).get(value, value)
                    f.SetField(theirs, int(value) if theirs in self.integer else value)
                f.SetField(d.get("version_field") or "version", version)
                stamp = changed_at(i) if callable(changed_at) else changed_at
                f.SetField(d.get("changed_field") or "changed_at", stamp or utc_text())
                g = ogr.CreateGeometryFromWkb(wkb)
                g.Transform(ct)
                f.SetGeometry(ogr.ForceToMultiPolygon(g))
                if layer.CreateFeature(f) != 0:
                    raise RuntimeError(f"feature {i} not written to {self.gpkg}")
        finally:
            ds = None

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def utc_text(t: Optional[_dt.datetime] = None) -> str:
    """A change time as the plugin writes them (ISO 8601 UTC, microseconds)."""
    return (t or _dt.datetime.now(_dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def main() -> None:
    import argparse
    import json
    import time

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir")
    ap.add_argument("--description", default="")
    ap.add_argument("--integer", default="")
    args = ap.parse_args()
    description = None
    if args.description:
        with open(args.description, encoding="utf-8") as fh:
            description = json.load(fh)
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    server = MapServer(args.data_dir, description, [n for n in args.integer.split(",") if n])
    print(server.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        server.stop()
        del app


if __name__ == "__main__":
    if not available():
        sys.exit(f"{MAPSERV} is not installed (Debian package cgi-mapserver)")
    main()
