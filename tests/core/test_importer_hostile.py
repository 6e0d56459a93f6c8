"""Hostile and careless contractors' files (issue 12, item 2): the importer trusts no suffix, no size, no declaration.

Every file is crafted in the test: OGR VRTs named .geojson that read a local SQLite database or make GDAL fetch a
URL (a local HTTP server counts the requests), a GeoJSON asking for its CRS from a URL, KMZ bombs and zips with
unsafe member paths, a 10°×10° polygon, patches mostly outside the county, GBK shapefiles declaring another
encoding, and a file holding the same polygon twice. The working copy is the editing tests' two villages
(tests/helpers/editing_copy.py: x 0..2000 m, y 0..1000 m from X0, Y0 in EPSG:4549).
"""

from __future__ import annotations

import json
import struct
import tempfile
import threading
import time
import uuid
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from osgeo import ogr
from qgis.core import QgsVectorLayer

from forestry_plugin import schema
from forestry_plugin.core import importer
from forestry_plugin.core.workflow import bundled_policy
from tests.helpers.editing_copy import new_features
from tests.helpers.vector_files import dbf_to_gbk, lonlat, rect, ring_wkt, write

SECRET = "hunter2-master-password"


def geojson(features, crs=None):
    """A GeoJSON FeatureCollection text of [(lon/lat ring, properties)]."""
    doc = {"type": "FeatureCollection", "name": "patches", "features": [
        {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [list(ring)]}}
        for ring, props in features]}
    if crs is not None:
        doc["crs"] = crs
    return json.dumps(doc, ensure_ascii=False)


def auth_db(path):
    """A stand-in for qgis-auth.db: an SQLite file with a secret."""
    import sqlite3

    con = sqlite3.connect(str(path))
    con.execute("CREATE TABLE auth_configs (id TEXT, name TEXT, config TEXT)")
    con.execute("INSERT INTO auth_configs VALUES ('a1', 'platform', ?)", (SECRET,))
    con.commit()
    con.close()
    return path


def vrt(source, sql=None):
    """An OGR VRT whose layer is `source` (a path relative to the VRT, or a URL), or the result of `sql` on it
    with a WKT column "wkt" (EPSG:4549) as geometry."""
    inner = (f"<SrcSQL>{sql}</SrcSQL><GeometryType>wkbPolygon</GeometryType><LayerSRS>EPSG:4549</LayerSRS>"
             '<GeometryField encoding="WKT" field="wkt"/>') if sql else ""
    return (f'<OGRVRTDataSource><OGRVRTLayer name="patches"><SrcDataSource relativeToVRT="1">{source}'
            f"</SrcDataSource>{inner}</OGRVRTLayer></OGRVRTDataSource>")


def assert_nothing_changed(patches, report, before, undo):
    assert not report.ok and report.errors and report.added == 0
    assert patches.featureCount() == before and patches.undoStack().count() == undo


@pytest.fixture()
def web(monkeypatch):
    """A local HTTP server that serves a GeoJSON patch for any path and records every request: (url, hits)."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    hits = []
    body = geojson([(rect(600, 500, 800, 700), {"TBBH": "WEB"})]).encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, with_body):
            hits.append((self.command, self.path))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_GET(self):  # noqa: N802
            self._answer(True)

        def do_HEAD(self):  # noqa: N802
            self._answer(False)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # a fresh path per test: GDAL caches what /vsicurl/ read
    yield f"http://127.0.0.1:{server.server_address[1]}/{uuid.uuid4().hex}", hits
    server.shutdown()
    server.server_close()
    thread.join(5)


# -- 1. only the driver the suffix stands for; nothing the file refers to -----------------------------------------
def test_vrt_named_geojson_reading_a_local_sqlite_is_refused(import_wc):
    tmp, patches, comp, shown = import_wc
    auth_db(tmp / "qgis-auth.db")
    delivery = tmp / "delivery"
    delivery.mkdir()
    fn = delivery / "contractor.geojson"
    wkt = ring_wkt(rect(600, 500, 800, 700, False))
    fn.write_text(vrt("../qgis-auth.db", f"SELECT config AS remark, '{wkt}' AS wkt FROM auth_configs"))
    before, undo = patches.featureCount(), patches.undoStack().count()
    report = comp.import_file(patches, str(fn))
    assert_nothing_changed(patches, report, before, undo)
    text = report.summary()
    assert "contractor.geojson is not a GeoJSON file" in text and "virtual data source (VRT)" in text, text
    assert SECRET not in text and SECRET not in json.dumps([p.attrs for p in report.patches])
    assert shown[-1][0] is False and "contractor.geojson" in shown[-1][1]
    # what an unrestricted OGR open (the importer before) made of the file: the secret as a patch remark
    ds = ogr.Open(str(fn))
    assert ds.GetDriver().GetName() == "OGR_VRT" and ds.GetLayer(0).GetNextFeature()["remark"] == SECRET
    ds = None


def test_vrt_with_vsicurl_and_remote_paths_send_no_request(import_wc, web):
    tmp, patches, comp, shown = import_wc
    url, hits = web
    before, undo = patches.featureCount(), patches.undoStack().count()
    fn = tmp / "remote.geojson"
    fn.write_text(vrt(f"/vsicurl/{url}/patches.geojson"))
    report = comp.import_file(patches, str(fn))
    assert_nothing_changed(patches, report, before, undo)
    assert "remote.geojson is not a GeoJSON file" in report.summary() and "VRT" in report.summary()
    # the path itself a virtual or remote one
    for path in (f"/vsicurl/{url}/a.geojson", f"{url}/b.geojson", f"/VSICURL/{url}/c.geojson",
                 f"/vsizip//vsicurl/{url}/d.zip/e.geojson"):
        report = comp.import_file(patches, path)
        assert_nothing_changed(patches, report, before, undo)
        assert "is not a file on this computer" in report.summary(), report.summary()
    # a genuine GeoJSON whose CRS is a link or URL: GDAL would fetch it while opening the file
    for n, crs in enumerate(({"type": "link", "properties": {"href": f"{url}/crs.wkt", "type": "ogcwkt"}},
                             {"type": "URL", "properties": {"url": f"{url}/crs2.wkt"}},
                             {"type": "name", "\\u0074ype": "link", "properties": {"href": f"{url}/crs3.wkt"}})):
        fn = tmp / f"linked{n}.geojson"
        fn.write_text(geojson([(rect(600, 500, 800, 700), {})], crs).replace('\\\\u0074ype', '\\u0074ype'))
        report = comp.import_file(patches, str(fn))
        assert_nothing_changed(patches, report, before, undo)
        assert f"linked{n}.geojson asks for its coordinate system from elsewhere" in report.summary()
    # a named CRS is fine
    fn = tmp / "named.geojson"
    fn.write_text(geojson([(rect(600, 500, 800, 700), {})], {"type": "name",
                                                            "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}))
    report = importer.read_source_patches(str(fn), patches.crs(), existing=patches)
    assert report.ok and len(report.patches) == 1, report.summary()
    # a KML with a network link, remote styles and a remote model: read, nothing fetched
    kml = tmp / "links.kml"
    ring = " ".join(f"{x!r},{y!r}" for x, y in rect(1200, 500, 1450, 750))
    kml.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<NetworkLink><name>more</name><Link><href>{url}/more.kml</href></Link></NetworkLink>
<Placemark><name>K-1</name><styleUrl>{url}/style.kml#s</styleUrl>
<ExtendedData><SchemaData schemaUrl="{url}/schema.kml#x"><SimpleData name="a">1</SimpleData></SchemaData></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>{ring}</coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark>
<Placemark><name>M</name><Model><Link><href>{url}/model.dae</href></Link></Model></Placemark>
</Document></kml>""")
    report = importer.read_source_patches(str(kml), patches.crs(), existing=patches)
    assert report.ok and [p.attrs.get("tuban_no") for p in report.patches] == ["K-1"], report.summary()
    time.sleep(0.2)
    assert hits == []
    # the VRT really points at the server: an unrestricted OGR open (the importer before) asks it
    ds = ogr.Open(str(tmp / "remote.geojson"))
    assert ds is not None and ds.GetLayer(0).GetFeatureCount() == 1
    ds = None
    assert hits


def test_files_are_opened_only_by_the_driver_of_their_suffix(import_wc):
    tmp, patches, comp, shown = import_wc
    before, undo = patches.featureCount(), patches.undoStack().count()
    gpx = tmp / "walk.gpx"
    ds = ogr.GetDriverByName("GPX").CreateDataSource(str(gpx))
    ds.CreateLayer("waypoints", None, ogr.wkbPoint)
    ds = None
    fake = tmp / "walk.geojson"
    fake.write_bytes(gpx.read_bytes())
    report = comp.import_file(patches, str(fake))
    assert_nothing_changed(patches, report, before, undo)
    assert "walk.geojson is not a GeoJSON file: it is a file of type GPX" in report.summary(), report.summary()
    sqlite = auth_db(tmp / "patches.shp")
    report = comp.import_file(patches, str(sqlite))
    assert_nothing_changed(patches, report, before, undo)
    assert "patches.shp is not a Shapefile file: it is an SQLite database" in report.summary(), report.summary()
    kml = tmp / "doc.kml"
    kml.write_text(vrt("qgis-auth.db"))
    with zipfile.ZipFile(tmp / "field.kmz", "w") as z:
        z.write(kml, "doc.kml")
    report = comp.import_file(patches, str(tmp / "field.kmz"))
    assert_nothing_changed(patches, report, before, undo)
    assert "field.kmz/doc.kml is not a KML file" in report.summary() and "VRT" in report.summary()


# -- 2. sizes and zips --------------------------------------------------------------------------------------------
def kml_text(padding=0):
    ring = " ".join(f"{x!r},{y!r}" for x, y in rect(1200, 500, 1450, 750))
    return ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            f'<Placemark><name>K-9</name><Polygon><outerBoundaryIs><LinearRing><coordinates>{ring}</coordinates>'
            f'</LinearRing></outerBoundaryIs></Polygon></Placemark>{" " * padding}</Document></kml>')


def kmz_bomb(path, unpacked):
    """A KMZ whose doc.kml is a valid KML padded with `unpacked` bytes of blanks (written in chunks)."""
    head, tail = kml_text().split("</Document>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open("doc.kml", "w") as out:
        out.write(head.encode())
        chunk = b" " * (8 * 1024 * 1024)
        left = unpacked
        while left > 0:
            out.write(chunk[:left])
            left -= len(chunk)
        out.write(("</Document>" + tail).encode())
    return path


@pytest.fixture()
def private_tmp(tmp_path, monkeypatch):
    """Where the importer unpacks zips in this test (must be empty afterwards)."""
    where = tmp_path / "unpack"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    return where


def test_kmz_bomb_is_refused_before_unpacking(import_wc, private_tmp):
    tmp, patches, comp, shown = import_wc
    before, undo = patches.featureCount(), patches.undoStack().count()
    bomb = kmz_bomb(tmp / "bomb.kmz", 250 * 1024 * 1024)  # 250 MB of blanks: a few hundred KB zipped
    assert bomb.stat().st_size < 2 * 1024 * 1024
    t0 = time.monotonic()
    report = comp.import_file(patches, str(bomb))
    assert time.monotonic() - t0 < 10  # the importer before: unpacked and parsed it all (44 s for 1 GB)
    assert_nothing_changed(patches, report, before, undo)
    assert "bomb.kmz would unpack to 250 MB, more than the 200 MB allowed" in report.summary(), report.summary()
    # within the size limit but compressed a thousand times
    ratio = kmz_bomb(tmp / "ratio.kmz", 20 * 1024 * 1024)
    report = comp.import_file(patches, str(ratio))
    assert_nothing_changed(patches, report, before, undo)
    assert "ratio.kmz: doc.kml is compressed" in report.summary() and "more than the 100 times allowed" in \
        report.summary(), report.summary()
    assert list(private_tmp.iterdir()) == []


def test_zip_limits_are_module_constants(import_wc, private_tmp, monkeypatch):
    tmp, patches, comp, shown = import_wc
    small = kmz_bomb(tmp / "small.kmz", 3 * 1024 * 1024)
    monkeypatch.setattr(importer, "MAX_RATIO", 10000)
    assert comp.import_file(patches, str(small)).ok
    patches.undoStack().undo()
    before, undo = patches.featureCount(), patches.undoStack().count()
    monkeypatch.setattr(importer, "MAX_UNPACKED_BYTES", 2 * 1024 * 1024)
    report = comp.import_file(patches, str(small))
    assert_nothing_changed(patches, report, before, undo)
    assert "small.kmz would unpack to 3 MB, more than the 2 MB allowed" in report.summary(), report.summary()
    # a plain file beyond MAX_FILE_BYTES
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", 1024 * 1024)
    big = tmp / "big.geojson"
    big.write_text(geojson([(rect(600, 500, 800, 700), {"remark": "x" * (2 * 1024 * 1024)})]))
    report = comp.import_file(patches, str(big))
    assert_nothing_changed(patches, report, before, undo)
    assert "big.geojson is 2 MB, more than the 1 MB a file may have" in report.summary(), report.summary()
    assert list(private_tmp.iterdir()) == []


def test_zip_that_lies_about_its_sizes_is_not_unpacked_beyond_them(import_wc, private_tmp):
    tmp, patches, comp, shown = import_wc
    before, undo = patches.featureCount(), patches.undoStack().count()
    fn = kmz_bomb(tmp / "liar.kmz", 50 * 1024 * 1024)
    data = bytearray(fn.read_bytes())
    # the local header and the central directory both say doc.kml unpacks to 2000 bytes
    for sig, at_size in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(sig)
        data[at + at_size:at + at_size + 4] = struct.pack("<I", 2000)
    fn.write_bytes(bytes(data))
    assert zipfile.ZipFile(fn).infolist()[0].file_size == 2000
    report = comp.import_file(patches, str(fn))
    assert_nothing_changed(patches, report, before, undo)
    assert "liar.kmz is not a KMZ file that can be unpacked" in report.summary(), report.summary()
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize("member", ["../evil.kml", "/tmp/evil.kml", "a/../../evil.kml", "C:\\evil.kml"])
def test_zip_members_with_unsafe_paths_are_refused(import_wc, private_tmp, member):
    tmp, patches, comp, shown = import_wc
    before, undo = patches.featureCount(), patches.undoStack().count()
    fn = tmp / "slip.kmz"
    with zipfile.ZipFile(fn, "w") as z:
        z.writestr("doc.kml", kml_text())
        z.writestr(member, kml_text())
    report = comp.import_file(patches, str(fn))
    assert_nothing_changed(patches, report, before, undo)
    assert f"slip.kmz holds a file with an unsafe path ({member})" in report.summary(), report.summary()
    assert not (tmp / "evil.kml").exists() and list(private_tmp.iterdir()) == []


def test_zipped_shapefile_is_imported_and_a_zip_of_several_files_is_refused(import_wc, private_tmp):
    tmp, patches, comp, shown = import_wc
    write(str(tmp / "gk.shp"), "ESRI Shapefile", [(ring_wkt(rect(600, 100, 900, 300, False)), {"method": "planting"})],
          ["method"], epsg=4549, geom_type=ogr.wkbPolygon)
    with zipfile.ZipFile(tmp / "delivery.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for ext in (".shp", ".shx", ".dbf", ".prj"):
            z.write(tmp / f"gk{ext}", f"2025/gk{ext}")
        z.writestr("readme.txt", "patches of 2025")
    report = comp.import_file(patches, str(tmp / "delivery.zip"))
    assert report.ok and report.added == 1, report.summary()
    assert new_features(patches)[0]["method"] == "planting"
    with zipfile.ZipFile(tmp / "two.zip", "w") as z:
        z.write(tmp / "gk.shp", "gk.shp")
        z.writestr("more.geojson", geojson([(rect(600, 500, 800, 700), {})]))
    report = comp.import_file(patches, str(tmp / "two.zip"))
    assert not report.ok and "two.zip holds several files to import (gk.shp, more.geojson)" in report.summary()
    assert list(private_tmp.iterdir()) == []


# -- 3. plausible size and the county -----------------------------------------------------------------------------
def test_huge_and_mostly_outside_patches_are_skipped_with_reasons(import_wc):
    tmp, patches, comp, shown = import_wc
    x, y = lonlat(1000, 500)
    huge = [(x - 5, y - 5), (x + 5, y - 5), (x + 5, y + 5), (x - 5, y + 5), (x - 5, y - 5)]  # 10° x 10°
    fn = tmp / "mixed.geojson"
    fn.write_text(geojson([
        (huge, {"TBBH": "HUGE"}),
        (rect(600, 500, 800, 700), {"TBBH": "OK"}),
        (rect(1800, 500, 2600, 700), {"TBBH": "OUT"}),  # 200 of 800 m inside the county: 25 %
        (rect(1400, 100, 2200, 300), {"TBBH": "EDGE"}),  # 600 of 800 m inside: 75 %
    ]))
    report = comp.import_file(patches, str(fn))
    assert report.ok and report.added == 2, report.summary()
    assert {f["tuban_no"] for f in new_features(patches)} == {"OK", "EDGE"}
    reasons = dict(report.skipped)
    assert reasons["patches #1"].startswith("implausibly large: ") and "more than the 15,000 mu a patch may have" \
        in reasons["patches #1"], reasons
    assert reasons["patches #3"] == "mostly outside the county: 25% of it lies inside, at least 50% must"
    assert "patches #1: implausibly large" in report.summary()
    assert shown[-1][0] is True and "mostly outside the county" in shown[-1][1]


def test_plausible_size_is_the_policy_max_patch_mu(import_wc, monkeypatch):
    tmp, patches, comp, shown = import_wc
    assert importer.MAX_PATCH_MU is None
    assert importer._max_patch_mu(None) == bundled_policy().max_patch_mu == 15000.0
    fn = tmp / "p.geojson"
    fn.write_text(geojson([(rect(600, 500, 800, 700), {})]))  # 200 m x 200 m: 60 mu
    report = importer.read_source_patches(str(fn), patches.crs(), existing=patches, max_patch_mu=50)
    assert not report.ok and "implausibly large: 60 mu, more than the 50 mu a patch may have" in report.summary()
    monkeypatch.setattr(importer, "MAX_PATCH_MU", 59.0)
    report = importer.read_source_patches(str(fn), patches.crs(), existing=patches)
    assert not report.ok and "more than the 59 mu" in report.summary()
    monkeypatch.setattr(importer, "MIN_SHARE_IN_COUNTY", 0.9)
    monkeypatch.setattr(importer, "MAX_PATCH_MU", None)
    fn.write_text(geojson([(rect(1400, 100, 2200, 300), {})]))
    report = importer.read_source_patches(str(fn), patches.crs(), existing=patches)
    assert dict(report.skipped) == {"patches #1": "mostly outside the county: 75% of it lies inside, at least 90% must"}


# -- 4. shapefile encodings ---------------------------------------------------------------------------------------
def gbk_shapefile(tmp, name):
    species = schema.CODE_LISTS["species"].get("camphor").zh
    fn = write(str(tmp / f"{name}.shp"), "ESRI Shapefile",
               [(ring_wkt(rect(600, 500, 800, 700, False)), {"树种": species, "备注": "东坡"})],
               ["树种", "备注"], epsg=4549, geom_type=ogr.wkbPolygon)
    dbf_to_gbk(tmp / f"{name}.dbf")
    return fn


@pytest.mark.parametrize("lie", ["cpg", "ldid"])
def test_gbk_shapefile_declaring_another_encoding_is_read_as_gbk(import_wc, lie):
    tmp, patches, comp, shown = import_wc
    fn = gbk_shapefile(tmp, "lie")
    if lie == "cpg":
        (tmp / "lie.cpg").write_text("UTF-8")
        said = "The .cpg file of lie.shp says its texts are UTF-8, but they are GBK: read as GBK."
    else:
        dbf = tmp / "lie.dbf"
        data = bytearray(dbf.read_bytes())
        data[29] = 0x57  # "ANSI" (Windows-1252)
        dbf.write_bytes(bytes(data))
        said = "The .dbf file of lie.shp declares code page CP1252 (LDID 87), but its texts are GBK: read as GBK."
    # what QGIS's OGR provider (the importer before) made of it
    old = QgsVectorLayer(fn, "old", "ogr")
    assert old.isValid() and "树种" not in old.fields().names()
    del old
    report = comp.import_file(patches, fn)
    assert report.ok and report.mapped == {"树种": "species", "备注": "remark"}, report.summary()
    f = new_features(patches)[0]
    assert (f["species"], f["remark"]) == ("camphor", "东坡")
    assert report.encoding == "GBK" and said in report.warnings, report.warnings
    assert "Text encoding: GBK" in report.summary() and said in report.summary()


def test_shapefile_encodings_that_are_right_are_kept(import_wc):
    tmp, patches, comp, shown = import_wc
    fn = gbk_shapefile(tmp, "undeclared")  # GBK, no .cpg, no code page: recognised
    report = importer.read_source_patches(fn, patches.crs(), existing=patches)
    assert report.ok and report.encoding == "GBK" and report.encoding_guessed and not report.warnings
    assert "Text encoding: GBK (not declared in the file, recognised from its texts)" in report.summary()
    assert report.patches[0].attrs["remark"] == "东坡"
    fn = write(str(tmp / "utf8.shp"), "ESRI Shapefile",
               [(ring_wkt(rect(600, 500, 800, 700, False)), {"备注": "东坡"})], ["备注"], epsg=4549,
               geom_type=ogr.wkbPolygon, options=["ENCODING=UTF-8"])
    assert (tmp / "utf8.cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    report = importer.read_source_patches(fn, patches.crs(), existing=patches)
    assert report.ok and report.encoding == "UTF-8" and not report.warnings, report.summary()
    assert report.patches[0].attrs["remark"] == "东坡"
    gbk = gbk_shapefile(tmp, "declared")
    (tmp / "declared.cpg").write_text("936")
    report = importer.read_source_patches(gbk, patches.crs(), existing=patches)
    assert report.ok and report.encoding == "GBK" and not report.encoding_guessed and not report.warnings


# -- 5. the same polygon twice in one file ------------------------------------------------------------------------
def test_identical_polygons_in_one_file_are_imported_once(import_wc):
    tmp, patches, comp, shown = import_wc
    fn = tmp / "twice.geojson"
    fn.write_text(geojson([
        (rect(600, 500, 800, 700), {"TBBH": "A"}),
        (rect(1200, 500, 1400, 700), {"TBBH": "B"}),
        (rect(600, 500, 800, 700), {"TBBH": "A-again"}),
        (list(reversed(rect(1200, 500, 1400, 700))), {"TBBH": "B-again"}),  # same ring, other direction
    ]))
    report = comp.import_file(patches, str(fn))
    assert report.ok and report.added == 2, report.summary()
    assert {f["tuban_no"] for f in new_features(patches)} == {"A", "B"}
    assert report.skipped == [("patches #3", "the same outline as patches #1 of this file"),
                              ("patches #4", "the same outline as patches #2 of this file")]
    assert "patches #3: the same outline as patches #1 of this file" in shown[-1][1]
