"""Default layer styles built from the schema's code lists (patches by stage, base map by land class)."""

from __future__ import annotations

from typing import Dict

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsPalLayerSettings,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor

from .. import schema

STAGE_COLOURS: Dict[str, str] = {
    "design": "#fdae6b",
    "accepted": "#a1d99b",
    "included": "#66c2a4",
    "confirmed": "#31a354",
    "county_checked": "#41b6c4",
    "city_verified": "#2c7fb8",
    "province_verified": "#253494",
}
# 三调-like colours by first-level land class.
LAND_GROUP_COLOURS: Dict[str, str] = {
    "01": "#f5f08c", "02": "#e6c27a", "03": "#5aae61", "04": "#c2e699", "05": "#e8a0a0", "06": "#d98c8c",
    "07": "#f0b4b4", "08": "#e6a5c8", "09": "#c8a0c8", "10": "#c8c8c8", "11": "#a6cee3", "12": "#dcc8a0",
    "20": "#f0b4b4",
}
FOREST_SHADES = {"0301": "#2f8a3e", "0302": "#6ab04c", "0305": "#8fc97a", "0307": "#b5deaa"}
SEVERITY_COLOURS = {"error": "#e31a1c", "warning": "#ff7f00", "info": "#1f78b4"}
# Patch labels (图斑编号) appear from this scale on (1:25 000 and closer): at county scale they would only clutter.
PATCH_LABEL_MIN_SCALE = 25000.0
BASEMAP_OPACITY = 0.45  # the base map stays in the background: muted, so patches and findings read on top


def land_class_colour(code: str) -> str:
    return FOREST_SHADES.get(code) or LAND_GROUP_COLOURS.get(schema.land_class_group(code), "#dddddd")


def _fill(colour: str, outline: str = "#404040", width: float = 0.2, alpha: int = 255, style: str = "solid"):
    c = QColor(colour)
    c.setAlpha(alpha)
    return QgsFillSymbol.createSimple({
        "color": f"{c.red()},{c.green()},{c.blue()},{alpha}", "outline_color": outline,
        "outline_width": str(width), "outline_width_unit": "MM", "style": style,
    })


def categorized(field: str, colours: Dict[str, str], code_list: schema.CodeList, lang: str = "zh",
                with_code: bool = False, outline: str = "#404040", width: float = 0.26,
                alpha: int = 255) -> QgsCategorizedSymbolRenderer:
    """A categorized renderer with one category per code of `code_list`, labelled from the schema."""
    cats = []
    for c in code_list:
        label = f"{c.code} {c.label(lang)}" if with_code else c.label(lang)
        cats.append(QgsRendererCategory(c.code, _fill(colours.get(c.code, "#cccccc"), outline, width, alpha), label))
    other = _fill("#ffffff", "#ff0000", 0.4)
    cats.append(QgsRendererCategory(None, other, "(其他/无效)" if lang.startswith("zh") else "(other/invalid)"))
    return QgsCategorizedSymbolRenderer(field, cats)


def patch_renderer(lang: str = "zh") -> QgsCategorizedSymbolRenderer:
    return categorized("stage", STAGE_COLOURS, schema.STAGES, lang, outline="#202020", width=0.4, alpha=220)


def basemap_renderer(lang: str = "zh") -> QgsCategorizedSymbolRenderer:
    colours = {c.code: land_class_colour(c.code) for c in schema.LAND_CLASSES}
    return categorized(schema.LANDCLASS_FIELD, colours, schema.LAND_CLASSES, lang, with_code=True,
                       outline="#9a9a9a", width=0.1)


def issues_renderer(lang: str = "zh") -> QgsCategorizedSymbolRenderer:
    """Findings as a thick outline and a light hatching in the severity colour: the patch under them stays
    visible (no opaque fill)."""
    cats = []
    for c in schema.SEVERITIES:
        colour = SEVERITY_COLOURS.get(c.code, "#e31a1c")
        cats.append(QgsRendererCategory(c.code, _fill(colour, colour, 0.7, alpha=200, style="b_diagonal"),
                                        c.label(lang)))
    cats.append(QgsRendererCategory(None, _fill("#e31a1c", "#e31a1c", 0.7, alpha=200, style="b_diagonal"),
                                    "(其他/无效)" if lang.startswith("zh") else "(other/invalid)"))
    return QgsCategorizedSymbolRenderer("severity", cats)


def patch_labeling(min_scale: float = PATCH_LABEL_MIN_SCALE) -> QgsVectorLayerSimpleLabeling:
    """图斑编号 labels, shown only from `min_scale` on (zoomed in), with a white halo."""
    settings = QgsPalLayerSettings()
    settings.fieldName = "tuban_no"
    settings.isExpression = False
    settings.scaleVisibility = True
    settings.minimumScale = min_scale  # most zoomed-out scale with labels
    settings.maximumScale = 0.0
    fmt = QgsTextFormat()
    fmt.setSize(8)
    fmt.setColor(QColor("#202020"))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor("#ffffff"))
    fmt.setBuffer(buffer)
    settings.setFormat(fmt)
    return QgsVectorLayerSimpleLabeling(settings)


def outline_renderer(colour: str, width: float = 0.5, style: str = "no") -> QgsSingleSymbolRenderer:
    return QgsSingleSymbolRenderer(_fill("#ffffff", colour, width, alpha=0, style=style))


def admin_renderer(lang: str = "zh") -> QgsCategorizedSymbolRenderer:
    """County, township and village outlines, from thick to thin."""
    widths = {"county": (1.4, "solid"), "township": (0.8, "solid"), "village": (0.3, "dash")}
    cats = []
    for c in schema.ADMIN_LEVELS:
        width, pen = widths[c.code]
        sym = QgsFillSymbol.createSimple({"color": "0,0,0,0", "style": "no", "outline_color": "#6a3d9a",
                                          "outline_width": str(width), "outline_width_unit": "MM", "outline_style": pen})
        cats.append(QgsRendererCategory(c.code, sym, c.label(lang)))
    return QgsCategorizedSymbolRenderer("level", cats)


def apply_default_style(layer: QgsVectorLayer, table: str, lang: str = "zh") -> bool:
    """Give a working-copy layer its default renderer; False for tables without one."""
    if table == schema.PATCHES:
        layer.setRenderer(patch_renderer(lang))
        if layer.fields().indexFromName("tuban_no") >= 0:
            layer.setLabeling(patch_labeling())
            layer.setLabelsEnabled(True)
    elif table == schema.BASEMAP:
        layer.setRenderer(basemap_renderer(lang))
        layer.setOpacity(BASEMAP_OPACITY)
    elif table == schema.ISSUES:
        layer.setRenderer(issues_renderer(lang))
    elif table == schema.HISTORY:
        layer.setRenderer(QgsSingleSymbolRenderer(_fill("#9e9ac8", "#54278f", 0.4, alpha=90, style="b_diagonal")))
    elif table == schema.FARMLAND:
        layer.setRenderer(QgsSingleSymbolRenderer(_fill("#e31a1c", "#b30000", 0.3, alpha=255, style="f_diagonal")))
    elif table == schema.ADMIN:
        layer.setRenderer(admin_renderer(lang))
    else:
        return False
    layer.triggerRepaint()
    return True
