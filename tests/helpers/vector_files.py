"""Contractors' files written with OGR for the import tests, in the coordinates of the editing working copy
(tests/helpers/editing_copy.py: metres from X0, Y0 in EPSG:4549, given in WGS84 lon/lat unless said otherwise)."""

from __future__ import annotations

from osgeo import ogr, osr
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject

from tests.helpers.editing_copy import X0, Y0

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
GK = QgsCoordinateReferenceSystem("EPSG:4549")


def lonlat(x: float, y: float):
    """EPSG:4549 metres (relative to X0, Y0) to WGS84 lon/lat."""
    p = QgsCoordinateTransform(GK, WGS84, QgsProject.instance()).transform(QgsPointXY(X0 + x, Y0 + y))
    return p.x(), p.y()


def ring_wkt(coords, kind="POLYGON"):
    """WKT of a POLYGON (one ring) or another geometry `kind` (LINESTRING, ...) through `coords`."""
    pts = ", ".join(f"{x!r} {y!r}" for x, y in coords)
    return f"{kind}(({pts}))" if kind == "POLYGON" else f"{kind}({pts})"


def rect(x1, y1, x2, y2, to_wgs84=True):
    """The closed ring of the rectangle x1..x2 / y1..y2 (metres from X0, Y0): lon/lat, or EPSG:4549 metres."""
    corners = [(x1, y1), (x2, y1), (x2, y2), (x1, y2), (x1, y1)]
    return [lonlat(x, y) for x, y in corners] if to_wgs84 else [(X0 + x, Y0 + y) for x, y in corners]


def write(path, driver, features, fields, epsg=4326, layer="patches", geom_type=ogr.wkbUnknown, options=None):
    """A vector file with `features` = [(wkt, {field: value})]; epsg None writes no CRS."""
    ds = ogr.GetDriverByName(driver).CreateDataSource(path)
    srs = None
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    lyr = ds.CreateLayer(layer, srs, geom_type, options or [])
    for name in fields:
        lyr.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    for wkt, attrs in features:
        f = ogr.Feature(lyr.GetLayerDefn())
        for k, v in attrs.items():
            f.SetField(k, v)
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None
    return path


def dbf_to_gbk(dbf):
    """Re-encode a UTF-8 .dbf (names and text values) as GBK in place, and drop its .cpg."""
    import struct

    data = bytearray(dbf.read_bytes())
    n_records, header_len, record_len = struct.unpack("<IHH", bytes(data[4:12]))
    fields, pos = [], 32
    while data[pos] != 0x0D:
        name = bytes(data[pos:pos + 11]).rstrip(b"\x00").decode("utf-8").encode("gbk")
        data[pos:pos + 11] = name.ljust(11, b"\x00")
        fields.append((chr(data[pos + 11]), data[pos + 16]))
        pos += 32
    data[29] = 0  # no language driver id: nothing in the file says GBK
    for r in range(n_records):
        at = header_len + r * record_len + 1
        for kind, length in fields:
            if kind == "C":
                text = bytes(data[at:at + length]).decode("utf-8").rstrip()
                data[at:at + length] = text.encode("gbk").ljust(length, b" ")
            at += length
    dbf.write_bytes(bytes(data))
    for cpg in (dbf.with_suffix(".cpg"), dbf.with_suffix(".CPG")):
        if cpg.exists():
            cpg.unlink()
