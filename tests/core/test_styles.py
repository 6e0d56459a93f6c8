"""How the working copy's layers read in QGIS: the findings layer's value with units, legend labels in the UI
language (without losing a label a user changed), and scale-dependent styles that keep the patches readable at
county scale (rendered with QgsMapRendererParallelJob into test-artifacts/ and measured, not just configured)."""

from __future__ import annotations

import os
import uuid

import numpy as np
import pytest
import shapely
from qgis.core import (
    NULL,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage
from shapely.geometry import MultiPolygon

from forestry_plugin import schema
from forestry_plugin.core import geopackage, styles
from forestry_plugin.core.checks import rules
from forestry_plugin.core.checks.engine import check_working_copy
from forestry_plugin.core.project import PROJECT_LAYERS, VALUE_TEXT, open_layer, store_default_styles
from forestry_plugin.core.sample_county import PLANTABLE, generate_sample_county
from forestry_plugin.core.working_copy import create_working_copy


@pytest.fixture()
def checked_county(sample_county):
    check_working_copy(sample_county.path)
    return sample_county


def _plain(v):
    return None if v is None or v == NULL else v


# -- 1. the findings layer's value -----------------------------------------------------------------------------

def _assert_value_text(layer, lang):
    names = layer.fields().names()
    assert VALUE_TEXT in names
    idx = names.index(VALUE_TEXT)
    assert layer.attributeAlias(idx) == next(f for f in schema.ISSUE_FIELDS if f.name == "value").label(lang)
    rules_seen = set()
    for f in layer.getFeatures():
        rule, value, text = f["rule"], _plain(f["value"]), f[VALUE_TEXT]
        rules_seen.add(rule)
        assert text == rules.format_value(rule, value), (rule, value, text)
        if rule == rules.ATTRIBUTE:
            assert text == ""  # no meaningless 1.00
        elif value is not None:
            assert text.endswith(" " + rules.unit_label(rules.value_unit(rule))), text
            decimals = rules.RULE[rule].decimals
            assert len(text.split(" ")[0].rsplit(".", 1)[-1]) == decimals, text
    assert {rules.ATTRIBUTE, rules.MIN_AREA, rules.OUTSIDE_ADMIN, rules.AREA_MISMATCH, rules.SLIVER} <= rules_seen
    # the raw number is hidden where people read (attribute table, form, identify results); value_text is shown
    raw = names.index("value")
    assert layer.editorWidgetSetup(raw).type() == "Hidden"
    columns = layer.attributeTableConfig().columns()
    shown = [c.name for c in columns if not c.hidden]
    assert "value" not in shown and VALUE_TEXT in shown
    assert shown.index(VALUE_TEXT) == shown.index("severity") + 2  # where the raw value was (after the message)


def test_findings_layer_shows_values_with_units_in_english(checked_county, qgis_app):
    layer = open_layer(checked_county.path, schema.ISSUES, "en")
    _assert_value_text(layer, "en")
    texts = {f["rule"]: f[VALUE_TEXT] for f in layer.getFeatures()}
    assert texts[rules.OUTSIDE_ADMIN].endswith(" %") and texts[rules.MIN_AREA].endswith(" m²")
    assert texts[rules.AREA_MISMATCH].endswith(" mu") and texts[rules.SLIVER].endswith(" m")


def test_findings_layer_shows_values_with_units_in_chinese(checked_county, zh):
    layer = open_layer(checked_county.path, schema.ISSUES, "zh")
    _assert_value_text(layer, "zh")
    texts = {f["rule"]: f[VALUE_TEXT] for f in layer.getFeatures()}
    assert texts[rules.AREA_MISMATCH].endswith(" " + rules.unit_label(rules.MU))
    assert rules.unit_label(rules.MU) != "mu"  # the unit follows the UI language (亩)


def test_findings_value_is_identified_with_its_unit(checked_county, qgis_canvas, qgis_new_project):
    from qgis.gui import QgsMapToolIdentify

    layer = open_layer(checked_county.path, schema.ISSUES, "en")
    QgsProject.instance().addMapLayer(layer)
    qgis_canvas.setDestinationCrs(layer.crs())
    qgis_canvas.setLayers([layer])
    feat = next(f for f in layer.getFeatures() if f["rule"] == rules.MIN_AREA)
    qgis_canvas.setExtent(feat.geometry().boundingBox().buffered(50))
    qgis_canvas.refresh()
    tool = QgsMapToolIdentify(qgis_canvas)
    point = feat.geometry().pointOnSurface()
    results = tool.identify(point, QgsMapToolIdentify.TopDownAll, [layer], QgsMapToolIdentify.VectorLayer)
    hit = next(r for r in results if r.mFeature["patch_id"] == feat["patch_id"])
    assert hit.mFeature[VALUE_TEXT] == rules.format_value(rules.MIN_AREA, feat["value"])
    QgsProject.instance().removeAllMapLayers()


# -- 2. legend labels in the UI language ------------------------------------------------------------------------

LEGEND_TABLES = {schema.PATCHES: schema.STAGES, schema.BASEMAP: schema.LAND_CLASSES,
                 schema.ISSUES: schema.SEVERITIES, schema.ADMIN: schema.ADMIN_LEVELS}


def _labels(layer):
    return {c.value(): c.label() for c in layer.renderer().categories()}


def _assert_legend(path, lang, keep=None):
    keep = keep or {}
    for table, code_list in LEGEND_TABLES.items():
        layer = open_layer(path, table, lang)
        assert layer.listStylesInDatabase()[0], "the stored style is what is relabelled"
        labels = _labels(layer)
        for c in code_list:
            expected = keep.get((table, c.code)) or styles.category_label(
                code_list, c.code, lang, with_code=table == schema.BASEMAP)
            assert labels[c.code] == expected, (table, c.code, labels[c.code])
        if table != schema.ADMIN:  # the catch-all category (values outside the code list)
            other = next(v for v in labels if v is None or v == NULL or v == "")
            assert labels[other] == styles.other_label(lang)


def test_legend_stored_in_chinese_reads_english_in_an_english_qgis(empty_working_copy, qgis_app):
    # create_working_copy stored the styles with Chinese labels
    zh_labels = _labels(open_layer(empty_working_copy, schema.PATCHES, "zh"))
    assert zh_labels["design"] == "设计施工"
    _assert_legend(empty_working_copy, "en")
    assert _labels(open_layer(empty_working_copy, schema.PATCHES, "en"))["design"] == "Design / under construction"


def test_legend_stored_in_english_reads_chinese_in_a_chinese_qgis(tmp_path, zh):
    path = str(tmp_path / "english.gpkg")
    create_working_copy(path, county_code="339901", county_name="示例县", store_styles=False)
    store_default_styles(path, "en")  # made by an English QGIS
    assert _labels(open_layer(path, schema.BASEMAP, "en"))["0301"] == "0301 Arbor forest land"
    _assert_legend(path, "zh")


def test_a_label_the_user_changed_is_kept_in_either_language(empty_working_copy, qgis_app):
    # The user renamed one category in the layer's style and saved it as the default style in the GeoPackage.
    # (Written straight into layer_styles: QGIS 3.22 asks in a dialog before overwriting a stored style.)
    with geopackage.connect(empty_working_copy) as con:
        qml, = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = ?", (schema.PATCHES,)).fetchone()
        assert 'label="设计施工"' in qml
        con.execute("UPDATE layer_styles SET styleQML = ? WHERE f_table_name = ?",
                    (qml.replace('label="设计施工"', 'label="施工中（本县叫法）"'), schema.PATCHES))
    for lang in ("en", "zh"):
        _assert_legend(empty_working_copy, lang, keep={(schema.PATCHES, "design"): "施工中（本县叫法）"})


# -- 3. scale-dependent styles, rendered --------------------------------------------------------------------------

TOTAL_PATCHES = 20000


def _dense_county(path: str) -> dict:
    """A county of about 20 000 patches (the size that turned red): the sample county generator on a larger county,
    then patches added in two halves of plantable base-map parcels, with their village, land class and area."""
    generate_sample_county(path, n_cells=20000, radius_m=22000.0)
    base = geopackage.read_features(path, schema.BASEMAP, ["DLBM", "ZLDWDM"])
    taken = shapely.make_valid(np.array([shapely.from_wkb(w) for table in (schema.PATCHES, schema.HISTORY)
                                         for _f, _a, w in geopackage.read_features(path, table, ["patch_id"]) if w]))
    cand = [(a, shapely.from_wkb(w)) for _f, a, w in base if a["DLBM"] in PLANTABLE]
    geoms = np.array([g for _a, g in cand], dtype=object)
    free = np.ones(len(geoms), dtype=bool)
    free[shapely.STRtree(geoms).query(taken, predicate="intersects")[1]] = False  # parcels with a patch already
    rows = []
    templates = {}  # a clean patch of every stage (the later ones have survival rates, acceptance dates)
    for _f, a, _w in geopackage.read_features(path, schema.PATCHES):
        if not (a.get("remark") or "").startswith("sample fault") and a.get("tuban_no"):
            templates.setdefault(a["stage"], a)
    stages = [c.code for c in schema.STAGES]
    n_existing = len(geopackage.read_features(path, schema.PATCHES, ["patch_id"]))
    for (a, g), ok in zip(cand, free):
        if not ok:
            continue
        x0, y0, x1, y1 = g.bounds
        xm = (x0 + x1) / 2
        for half in (shapely.box(x0 - 1, y0 - 1, xm - 4, y1 + 1), shapely.box(xm + 4, y0 - 1, x1 + 1, y1 + 1)):
            p = shapely.buffer(shapely.intersection(g, half), -6.0)
            parts = [q for q in shapely.get_parts(p) if q.area > 1500]
            if not parts:
                continue
            m2 = float(sum(q.area for q in parts))
            k = len(rows)
            stage = stages[len(rows) % len(stages)]
            rows.append(({**templates[stage], "patch_id": str(uuid.uuid4()), "tuban_no": f"2025-D{k:05d}",
                          "village_code": a["ZLDWDM"][:12], "township_code": a["ZLDWDM"][:9],
                          "prev_dlbm": a["DLBM"], "stage": stage,
                          "area_mu": round(schema.m2_to_mu(m2), 2), "area_ha": round(schema.m2_to_ha(m2), 4)},
                         shapely.to_wkb(MultiPolygon(parts), output_dimension=2)))
            if n_existing + len(rows) >= TOTAL_PATCHES:
                break
        if n_existing + len(rows) >= TOTAL_PATCHES:
            break
    geopackage.write_features(path, schema.PATCHES, rows)
    check_working_copy(path)
    return {"patches": n_existing + len(rows)}


@pytest.fixture(scope="module")
def dense_county(tmp_path_factory, qgis_app):
    path = str(tmp_path_factory.mktemp("dense") / "county_20k.gpkg")
    info = _dense_county(path)
    return path, info


def _render(path: str, scale: float, out: str, centre=None, size=(1000, 800)) -> QImage:
    """The working copy's map layers in the project's order, rendered as a map canvas renders them (its expression
    context has the map settings scope: @map_scale)."""
    layers = {t: open_layer(path, t, "en") for t, _g in PROJECT_LAYERS if schema.LAYER[t].geometry is not None}
    ms = QgsMapSettings()
    ms.setLayers([layers[t] for t, _g in PROJECT_LAYERS if t in layers])
    ms.setDestinationCrs(layers[schema.ADMIN].crs())
    ms.setOutputSize(QSize(*size))
    ms.setBackgroundColor(QColor("white"))
    ext = layers[schema.ADMIN].extent()
    c = centre or ext.center()
    w = scale * size[0] * 0.0254 / ms.outputDpi()
    h = w * size[1] / size[0]
    ms.setExtent(QgsRectangle(c.x() - w / 2, c.y() - h / 2, c.x() + w / 2, c.y() + h / 2))
    context = QgsExpressionContext()
    context.appendScope(QgsExpressionContextUtils.globalScope())
    context.appendScope(QgsExpressionContextUtils.mapSettingsScope(ms))
    ms.setExpressionContext(context)
    job = QgsMapRendererParallelJob(ms)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    assert abs(ms.scale() - scale) / scale < 0.01
    img.save(out)
    return img


def _shares(img: QImage) -> dict:
    """Share of the drawn (non-white) pixels that are strong red (findings, the old farmland) and that have a
    patch stage colour (or its darker outline), sampled on a 2-pixel grid."""
    a = np.frombuffer(img.convertToFormat(QImage.Format_RGB32).constBits().asstring(img.width() * img.height() * 4),
                      dtype=np.uint8).reshape(img.height(), img.width(), 4)[::2, ::2, :3][..., ::-1].astype(int)
    drawn = ~np.all(a > 245, axis=-1)
    red = (a[..., 0] > 170) & (a[..., 1] < 90) & (a[..., 2] < 90)
    patch = np.zeros(drawn.shape, dtype=bool)
    for colour in styles.STAGE_COLOURS.values():
        for shade in (QColor(colour), QColor(colour).darker(150)):
            ref = np.array([shade.red(), shade.green(), shade.blue()])
            patch |= np.abs(a - ref).sum(axis=-1) < 40
    n = max(int(drawn.sum()), 1)
    return {"red": float((red & drawn).sum()) / n, "patch": float((patch & drawn).sum()) / n}


def test_county_scale_is_no_red_carpet_and_patches_read_on_top(dense_county, artifacts_dir):
    path, info = dense_county
    assert info["patches"] >= TOTAL_PATCHES * 0.9
    county = _render(path, 250000, os.path.join(artifacts_dir, "county_20k_overview.png"))
    shares = _shares(county)
    print("county scale", shares)
    assert shares["red"] < 0.02, f"{shares['red']:.1%} of the county is red at county scale: findings or farmland drown it"
    assert shares["patch"] > 0.10, f"only {shares['patch']:.1%} of the county shows patch colours at county scale"
    assert shares["patch"] > 8 * shares["red"]


def test_detail_scale_shows_findings_as_hatched_outlines_over_readable_patches(dense_county, artifacts_dir):
    path, _info = dense_county
    issues = open_layer(path, schema.ISSUES, "en")
    big = max(issues.getFeatures(), key=lambda f: f.geometry().area())  # a finding one can see at 1:10 000
    centre = big.geometry().boundingBox().center()
    img = _render(path, 10000, os.path.join(artifacts_dir, "county_20k_10k.png"), centre=centre)
    shares = _shares(img)
    print("1:10 000", shares)
    assert shares["patch"] > 0.05, "patches do not show at 1:10 000"
    # the finding is drawn (its outline) and does not hide what lies under it: inside it, little is red
    box = big.geometry().boundingBox()
    px = 1000 / (10000 * 1000 * 0.0254 / 96)  # pixels per metre at 96 dpi
    x0, x1 = 500 + (box.xMinimum() - centre.x()) * px, 500 + (box.xMaximum() - centre.x()) * px
    y0, y1 = 400 - (box.yMaximum() - centre.y()) * px, 400 - (box.yMinimum() - centre.y()) * px
    red = inside = inside_red = 0
    for y in range(max(int(y0) - 4, 0), min(int(y1) + 5, img.height())):
        for x in range(max(int(x0) - 4, 0), min(int(x1) + 5, img.width())):
            c = img.pixelColor(x, y)
            is_red = c.red() > 170 and c.green() < 90 and c.blue() < 90
            red += is_red
            if x0 + 0.3 * (x1 - x0) < x < x1 - 0.3 * (x1 - x0) and y0 + 0.3 * (y1 - y0) < y < y1 - 0.3 * (y1 - y0):
                inside += 1
                inside_red += is_red
    assert red > 2 * (x1 - x0 + y1 - y0) * 0.5, f"the finding's outline is hardly drawn ({red} red pixels)"
    assert inside and inside_red / inside < 0.5, f"{inside_red / inside:.0%} of the finding's inside is red"


def test_styles_change_with_scale(empty_working_copy, qgis_app):
    """The symbols themselves: what a canvas at county scale and at 1:10 000 evaluates."""
    from qgis.core import QgsExpression, QgsSymbolLayer

    def evaluate(table, prop, scale):
        layer = open_layer(empty_working_copy, table, "en")
        renderer = layer.renderer()
        cats = renderer.categories() if hasattr(renderer, "categories") else None  # kept: owns the symbols
        sym = cats[0].symbol() if cats else renderer.symbol()
        expression = sym.symbolLayer(0).dataDefinedProperties().property(prop).expressionString()
        ms = QgsMapSettings()
        ms.setOutputSize(QSize(1000, 800))
        ms.setDestinationCrs(layer.crs())
        w = scale * 1000 * 0.0254 / ms.outputDpi()
        ms.setExtent(QgsRectangle(500000, 3330000, 500000 + w, 3330000 + w * 0.8))
        context = QgsExpressionContext()
        context.appendScope(QgsExpressionContextUtils.mapSettingsScope(ms))  # what a map canvas provides
        return QgsExpression(expression).evaluate(context)

    assert evaluate(schema.BASEMAP, QgsSymbolLayer.PropertyStrokeStyle, 200000) == "no"
    assert evaluate(schema.BASEMAP, QgsSymbolLayer.PropertyStrokeStyle, 10000) == "solid"
    assert evaluate(schema.FARMLAND, QgsSymbolLayer.PropertyFillStyle, 200000) == "solid"  # a faint tint
    assert evaluate(schema.FARMLAND, QgsSymbolLayer.PropertyFillStyle, 10000) == "f_diagonal"
    assert evaluate(schema.ISSUES, QgsSymbolLayer.PropertyFillStyle, 200000) == "no"  # outlines only
    assert evaluate(schema.ISSUES, QgsSymbolLayer.PropertyFillStyle, 10000) == "b_diagonal"
    # patches above everything but the findings (outlines) in the project
    order = [t for t, _g in PROJECT_LAYERS]
    assert order.index(schema.ISSUES) < order.index(schema.PATCHES) < min(
        order.index(t) for t in (schema.HISTORY, schema.ADMIN, schema.FARMLAND, schema.BASEMAP))
