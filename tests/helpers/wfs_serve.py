"""A real WFS-T server for the tests: QGIS Server (Debian's qgis-server-wfs) behind a small HTTP front.

    python tests/helpers/wfs_serve.py DATA_DIR [--user U --password P | --token-header H --token T]
                                     [--layer-crs EPSG:4490]

Creates DATA_DIR/patches.gpkg (the patch layer a province would publish: the plugin's synced fields, a version
and a change time) and DATA_DIR/wfs.qgs (the layer published for WFS with Insert/Update/Delete allowed), unless
they exist, then serves QGIS Server on 127.0.0.1 at a free port and prints the port on stdout. With --user, every
request needs that HTTP Basic login (401 otherwise), as a gateway in front of a province's server would ask.
The QGIS Server code handling the requests is QGIS's own; this front only passes requests and answers through.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def make_project(data_dir: str, crs: str = "EPSG:4490") -> str:
    gpkg, qgs = os.path.join(data_dir, "patches.gpkg"), os.path.join(data_dir, "wfs.qgs")
    if os.path.exists(qgs):
        return qgs
    fields = QgsFields()
    for f in schema.PATCH_FIELDS:
        if f.synced:
            fields.append(QgsField(f.name, _TYPES[f.type], len=f.length if f.type == "string" else 0))
    fields.append(QgsField("version", QVariant.Int))
    fields.append(QgsField("changed_at", QVariant.String, len=24))
    opts = QgsVectorFileWriter.SaveVectorOptions()
    opts.driverName, opts.layerName = "GPKG", "patches"
    w = QgsVectorFileWriter.create(gpkg, fields, QgsWkbTypes.MultiPolygon, QgsCoordinateReferenceSystem(crs),
                                   QgsCoordinateTransformContext(), opts)
    del w
    project = QgsProject()
    layer = QgsVectorLayer(gpkg + "|layername=patches", "patches", "ogr")
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
    args = ap.parse_args()
    app = QgsApplication([], False)
    app.initQgis()
    from qgis.server import QgsBufferServerRequest, QgsBufferServerResponse, QgsServer

    qgs = make_project(args.data_dir, args.layer_crs)
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
