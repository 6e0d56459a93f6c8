"""The county map PDF through a print layout: exists, is a real map (not blank), and has a legend and a title."""

import os
import shutil
import subprocess

import pytest
from qgis.PyQt.QtGui import QImage

from forestry_plugin import schema
from forestry_plugin.core import geopackage
from forestry_plugin.core.project import open_layer
from forestry_plugin.core.reports.mapreport import export_map_pdf, map_from_working_copy


def _png(pdf, out_dir, name):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) missing")
    stem = os.path.join(out_dir, name)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", pdf, stem], check=True)
    return stem + ".png"


def _colourful_fraction(img: QImage, x0, y0, x1, y1) -> float:
    """Share of sampled pixels in a region that are neither white nor grey."""
    n = hits = 0
    for y in range(int(y0 * img.height()), int(y1 * img.height()), 4):
        for x in range(int(x0 * img.width()), int(x1 * img.width()), 4):
            c = img.pixelColor(x, y)
            n += 1
            if max(c.red(), c.green(), c.blue()) - min(c.red(), c.green(), c.blue()) > 25:
                hits += 1
    return hits / max(n, 1)


def test_county_map_pdf(sample_county, tmp_path, artifacts_dir):
    pdf = map_from_working_copy(sample_county.path, str(tmp_path / "map.pdf"), title="示例县造林图斑分布图")
    assert os.path.getsize(pdf) > 50_000
    with open(pdf, "rb") as fh:
        head = fh.read(5)
    assert head == b"%PDF-"
    png = _png(pdf, artifacts_dir, "county_map")
    img = QImage(png)
    assert img.width() > img.height()  # landscape
    # The map area is full of colour (land classes, patches); the page margin is white.
    assert _colourful_fraction(img, 0.15, 0.25, 0.6, 0.75) > 0.5
    assert _colourful_fraction(img, 0.0, 0.97, 1.0, 1.0) < 0.01
    # The legend column (right) has coloured symbols.
    assert _colourful_fraction(img, 0.77, 0.1, 0.95, 0.5) > 0.02


def test_map_needs_patches(sample_county, tmp_path):
    with pytest.raises(ValueError):
        export_map_pdf({schema.BASEMAP: open_layer(sample_county.path, schema.BASEMAP)}, str(tmp_path / "x.pdf"), "t")


def test_mapreport_algorithm(sample_county, tmp_path, provider):
    import processing

    out = str(tmp_path / "alg_map.pdf")
    res = processing.run("forestry:mapreport", {
        "PATCHES": geopackage.layer_uri(sample_county.path, schema.PATCHES),
        "BASEMAP": geopackage.layer_uri(sample_county.path, schema.BASEMAP),
        "ADMIN": geopackage.layer_uri(sample_county.path, schema.ADMIN),
        "TITLE": "Test map", "OUTPUT": out})
    assert res["OUTPUT"] == out and os.path.getsize(out) > 50_000


PG_TABLES = {"basemap": "prov_dltb", "farmland": "prov_jbnt", "history": "prov_history", "admin": "prov_xzq"}


def _difference(a: QImage, b: QImage) -> float:
    """Share of sampled pixels that differ clearly between two renders of the same page."""
    assert (a.width(), a.height()) == (b.width(), b.height())
    n = hits = 0
    for y in range(0, a.height(), 3):
        for x in range(0, a.width(), 3):
            ca, cb = a.pixelColor(x, y), b.pixelColor(x, y)
            n += 1
            if max(abs(ca.red() - cb.red()), abs(ca.green() - cb.green()), abs(ca.blue() - cb.blue())) > 40:
                hits += 1
    return hits / max(n, 1)


def test_county_map_from_a_postgis_reference(pg, sample_county, tmp_path, artifacts_dir):
    """A working copy whose base map, farmland, earlier years and admin units live in a province's PostGIS tables
    (a real server): the map draws them from there, the county's part only, over the county's extent."""
    import datetime

    from qgis.core import QgsFeatureRequest, QgsRectangle

    from forestry_plugin.core.checks import pg_source
    from tests.helpers.working_copies import without_reference

    pg_source.load_from_geopackage(sample_county.path, pg.dsn, tables=PG_TABLES)
    own_parcels = pg.sql("SELECT count(*) FROM prov_dltb")[0][0]
    # the rest of the province: the same parcels and units again, 300 km east (another county's)
    pg.sql('INSERT INTO prov_dltb ("BSM", "DLBM", geom) SELECT \'X\' || substr("BSM", 2), "DLBM", '
           "ST_Translate(geom, 300000, 0) FROM prov_dltb")
    pg.sql("INSERT INTO prov_xzq (code, name, level, geom) SELECT '339902' || substr(code, 7), name, level, "
           "ST_Translate(geom, 300000, 0) FROM prov_xzq")
    other = without_reference(sample_county.path, tmp_path, {"dsn": pg.dsn, "tables": PG_TABLES})
    day = datetime.date(2025, 12, 1)
    own_pdf = map_from_working_copy(sample_county.path, str(tmp_path / "own.pdf"), title="示例县", date=day)
    pg_pdf = map_from_working_copy(other, str(tmp_path / "pg.pdf"), title="示例县", date=day)

    own_png, pg_png = _png(own_pdf, artifacts_dir, "county_map_own"), _png(pg_pdf, artifacts_dir, "county_map_pg")
    bare = without_reference(sample_county.path, tmp_path, None, name="bare.gpkg")  # patches only
    bare_png = _png(map_from_working_copy(bare, str(tmp_path / "bare.pdf"), title="示例县", date=day), artifacts_dir,
                    "county_map_patches_only")
    own_img, pg_img, bare_img = QImage(own_png), QImage(pg_png), QImage(bare_png)
    assert _colourful_fraction(pg_img, 0.15, 0.25, 0.6, 0.75) > 0.5  # the base map's land classes fill the map
    assert _difference(pg_img, bare_img) > 0.15  # not the patches alone (white page margins included)
    assert _colourful_fraction(pg_img, 0.82, 0.15, 0.95, 0.5) > 0.02  # the land classes' column of the legend
    assert _colourful_fraction(bare_img, 0.82, 0.15, 0.95, 0.5) < 0.005
    assert _difference(pg_img, own_img) < 0.02  # the map the working copy's own tables give

    from forestry_plugin.core.reports.mapreport import postgis_map_layers

    layers, extent = postgis_map_layers(other)
    assert set(layers) == {schema.BASEMAP, schema.FARMLAND, schema.HISTORY, schema.ADMIN}
    assert all(lyr.providerType() == "postgres" and lyr.isValid() for lyr in layers.values())
    base = layers[schema.BASEMAP]
    assert base.subsetString()  # a province's table is never drawn whole
    ids = [f["BSM"] for f in base.getFeatures(QgsFeatureRequest().setSubsetOfAttributes(["BSM"], base.fields()))]
    assert len(ids) == own_parcels and not any(str(b).startswith("X") for b in ids)
    assert {f["code"][:6] for f in layers[schema.ADMIN].getFeatures()} == {"339901"}
    county = open_layer(sample_county.path, schema.ADMIN).extent()  # the county's own units
    assert extent.toString(0) == county.toString(0) and not extent.isEmpty()
    assert isinstance(extent, QgsRectangle)
