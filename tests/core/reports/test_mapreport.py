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
