"""A real WFS-T server for the tests: QGIS Server (Debian's qgis-server-wfs) behind a small HTTP front.

    python tests/helpers/wfs_serve.py DATA_DIR [--user U --password P | --token-header H --token T]
                                     [--layer-crs EPSG:4490] [--description FILE.json [--integer NAME,...]]

Creates DATA_DIR/patches.gpkg (the patch layer a province would publish: the plugin's synced fields, a version
and a change time) and DATA_DIR/wfs.qgs (the layer published for WFS with Insert/Update/Delete allowed), unless
they exist, then serves QGIS Server on 127.0.0.1 at a free port and prints the port on stdout. With --description
(a WFS service description, resources/platforms/*.json), the layer is the one it describes: its feature type name,
its id / version / change time / county field names, the server's names under "fields" (null: no such column);
--integer makes those columns whole numbers (a province storing codes such as 1 as numbers). With --user, every
request needs that HTTP Basic login (401 otherwise), as a gateway in front of a province's server would ask.
The QGIS Server code handling the requests is QGIS's own; this front only passes requests and answers through.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Optional, Sequence

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QGIS_SERVER_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # the checkout

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsField,
    QgsFields,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant  # noqa: E402

from forestry_plugin import schema  # noqa: E402

_TYPES = {"string": QVariant.String, "integer": QVariant.Int, "real": QVariant.Double, "date": QVariant.Date,
          "datetime": QVariant.String}


def layout(description: Optional[Dict[str, Any]] = None, integer: Sequence[str] = ()):
    """(layer name, [(column name, QVariant type, length)]) of the layer a WFS service description describes (the
    plugin's own names without one)."""
    d = description or {}
    names = d.get("fields") or {}
    columns = []
    for f in schema.PATCH_FIELDS:
        if not f.synced:
            continue
        name = {"patch_id": d.get("id_field"), "county_code": d.get("county_field")}.get(f.name) or \
            (names[f.name] if f.name in names else f.name)
        if name:
            kind = QVariant.Int if name in integer else _TYPES[f.type]
            columns.append((name, kind, f.length if kind == QVariant.String else 0))
    columns.append((d.get("version_field") or "version", QVariant.Int, 0))
    columns.append((d.get("changed_field") or "changed_at", QVariant.String, 24))
    return (d.get("type_name") or "patches").split(":")[-1], columns


def make_project(data_dir: str, crs: str = "EPSG:4490", description: Optional[Dict[str, Any]] = None,
                 integer: Sequence[str] = ()) -> str:
    gpkg, qgs = os.path.join(data_dir, "patches.gpkg"), os.path.join(data_dir, "wfs.qgs")
    if os.path.exists(qgs):
        return qgs
    name, columns = layout(description, integer)
    fields = QgsFields()
    for column, kind, length in columns:
        fields.append(QgsField(column, kind, len=length))
    opts = QgsVectorFileWriter.SaveVectorOptions()
    opts.driverName, opts.layerName = "GPKG", name
    w = QgsVectorFileWriter.create(gpkg, fields, QgsWkbTypes.MultiPolygon, QgsCoordinateReferenceSystem(crs),
                                   QgsCoordinateTransformContext(), opts)
    del w
    project = QgsProject()
    layer = QgsVectorLayer(gpkg + f"|layername={name}", name, "ogr")
    assert layer.isValid(), gpkg
    project.addMapLayer(layer)
    lid = layer.id()
    project.writeEntry("WFSLayers", "/", [lid])
    for op in ("Update", "Insert", "Delete"):
        project.writeEntry("WFSTLayers", op, [lid])
    project.writeEntry("WFSLayersPrecision", "/" + lid, 9)
    project.writeEntry("WMSServiceCapabilities", "/", True)
    project.setCrs(QgsCoordinateReferenceSystem(crs))
    assert project.write(qgs), qgs
    return qgs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir")
    ap.add_argument("--user", default="")
    ap.add_argument("--password", default="")
    ap.add_argument("--token-header", default="")
    ap.add_argument("--token", default="")
    ap.add_argument("--layer-crs", default="EPSG:4490")
    ap.add_argument("--description", default="")
    ap.add_argument("--integer", default="")
    args = ap.parse_args()
    description = None
    if args.description:
        with open(args.description, encoding="utf-8") as fh:
            description = json.load(fh)
    app = QgsApplication([], False)
    app.initQgis()
    from qgis.server import QgsBufferServerRequest, QgsBufferServerResponse, QgsServer

    qgs = make_project(args.data_dir, args.layer_crs, description, [n for n in args.integer.split(",") if n])
    server = QgsServer()
    lock = threading.Lock()
    expected = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode() if args.user else ""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, body: bytes, headers=()) -> None:
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self, method: str) -> None:
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            refused = (expected and self.headers.get("Authorization") != expected) or \
                (args.token_header and self.headers.get(args.token_header) != args.token)
            if refused:
                self._answer(401, b"unauthorized", [("WWW-Authenticate", 'Basic realm="wfs"')])
                return
            sep = "&" if "?" in self.path else "?"
            url = f"http://127.0.0.1:{self.server.server_address[1]}{self.path}{sep}MAP={qgs}"
            kind = QgsBufferServerRequest.PostMethod if method == "POST" else QgsBufferServerRequest.GetMethod
            req = QgsBufferServerRequest(url, kind, {}, body)
            resp = QgsBufferServerResponse()
            with lock:  # QgsServer serves one request at a time
                server.handleRequest(req, resp)
            headers = [(k, v) for k, v in resp.headers().items() if k.lower() != "content-length"]
            self._answer(resp.statusCode(), bytes(resp.body()), headers)

        def do_GET(self):  # noqa: N802
            self._handle("GET")

        def do_POST(self):  # noqa: N802
            self._handle("POST")

        def log_message(self, *a):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
