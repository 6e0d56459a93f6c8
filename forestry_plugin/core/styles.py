"""Default layer styles built from the schema's code lists (patches by stage, base map by land class).

The styles are scale-dependent (data-defined on @map_scale, so one legend entry per category stays): at county
scale the base map is a muted fill without parcel outlines, basic farmland a faint tint, findings and earlier years'
patches outlines only, and patches coloured spots with a thick outline in their stage colour; from DETAIL_SCALE
(1:25 000) on, farmland, history and findings are hatched and patches labelled with their 图斑编号.

Category labels follow the UI language: a style stored in the GeoPackage keeps the labels of the language it was
stored in, and `relabel_legend` (called when a layer is opened) puts the current language's label on every
category whose label is still one of the plugin's defaults, in either language; labels a user changed stay.
"""

from __future__ import annotations

from typing import Dict, Optional

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsCentroidFillSymbolLayer,
    QgsFillSymbol,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsProperty,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsSymbolLayer,
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
# Red is the colour of findings: basic farmland is brown (it was red, and at county scale the county turned red).
FARMLAND_COLOUR = "#8c510a"
FARMLAND_TINT = "#bf812d"
# Scales (denominators). From DETAIL_SCALE on (1:25 000 and closer) patch labels (图斑编号) appear and farmland,
# earlier years' patches and findings are hatched; beyond OVERVIEW_SCALE (1:50 000, county scale) base-map parcels
# have no outlines and patches get a thick outline in their own colour, so even small ones read as coloured spots.
DETAIL_SCALE = 25000.0
OVERVIEW_SCALE = 50000.0
PATCH_LABEL_MIN_SCALE = DETAIL_SCALE
BASEMAP_OPACITY = 0.45  # the base map stays in the background: muted, so patches and findings read on top
OTHER_LABELS = {"zh": "(其他/无效)", "en": "(other/invalid)"}  # the catch-all category, in either language


def land_class_colour(code: str) -> str:
    return FOREST_SHADES.get(code) or LAND_GROUP_COLOURS.get(schema.land_class_group(code), "#dddddd")


def _fill(colour: str, outline: str = "#404040", width: float = 0.2, alpha: int = 255, style: str = "solid"):
    c = QColor(colour)
    c.setAlpha(alpha)
    return QgsFillSymbol.createSimple({
        "color": f"{c.red()},{c.green()},{c.blue()},{alpha}", "outline_color": outline,
        "outline_width": str(width), "outline_width_unit": "MM", "style": style,
    })


def _lang(lang: Optional[str]) -> str:
    return "zh" if (lang or "zh").startswith("zh") else "en"


def other_label(lang: str = "zh") -> str:
    """The label of the catch-all category (values outside the code list)."""
    return OTHER_LABELS[_lang(lang)]


def _by_scale(symbol: QgsFillSymbol, prop: int, expression: str) -> QgsFillSymbol:
    """Make a property of the symbol's (first) layer depend on the map scale: `expression` uses @map_scale."""
    symbol.symbolLayer(0).setDataDefinedProperty(prop, QgsProperty.fromExpression(expression))
    return symbol


def _beyond(scale: float, far: str, near: str) -> str:
    """An expression: `far` (an expression) beyond 1:`scale` (zoomed out), else `near`."""
    return f"CASE WHEN @map_scale > {scale:.0f} THEN {far} ELSE {near} END"


def _darker(colour: str, factor: int = 150) -> str:
    return QColor(colour).darker(factor).name()


def categorized(field: str, colours: Dict[str, str], code_list: schema.CodeList, lang: str = "zh",
                with_code: bool = False, outline: str = "#404040", width: float = 0.26,
                alpha: int = 255, symbol=None) -> QgsCategorizedSymbolRenderer:
    """A categorized renderer with one category per code of `code_list`, labelled from the schema; symbol(colour)
    makes a category's symbol (default: a plain fill)."""
    cats = []
    for c in code_list:
        colour = colours.get(c.code, "#cccccc")
        sym = symbol(colour) if symbol else _fill(colour, outline, width, alpha)
        cats.append(QgsRendererCategory(c.code, sym, category_label(code_list, c.code, lang, with_code)))
    other = _fill("#ffffff", "#ff0000", 0.4)
    cats.append(QgsRendererCategory(None, other, other_label(lang)))
    return QgsCategorizedSymbolRenderer(field, cats)


def category_label(code_list: schema.CodeList, code: str, lang: str = "zh", with_code: bool = False) -> str:
    """The default legend label of a code: its schema label in `lang`, after the code for land classes."""
    label = code_list.label(code, _lang(lang))
    return f"{code} {label}" if with_code else label


def _patch_symbol(colour: str) -> QgsFillSymbol:
    """A patch: its stage colour; at county scale a thick outline in a darker shade of it (a coloured spot even
    for a patch smaller than the line), closer a thin dark outline."""
    sym = _fill(colour, "#202020", 0.4, alpha=220)
    _by_scale(sym, QgsSymbolLayer.PropertyStrokeColor, _beyond(OVERVIEW_SCALE, f"'{_darker(colour)}'", "'#202020'"))
    return _by_scale(sym, QgsSymbolLayer.PropertyStrokeWidth, _beyond(OVERVIEW_SCALE, "0.6", "0.4"))


def _basemap_symbol(colour: str) -> QgsFillSymbol:
    """A base-map parcel: muted fill; outlines light grey from 1:50 000 on, none beyond (thousands of outlines
    would grey the county over)."""
    sym = _fill(colour, "#9a9a9a", 0.1)
    _by_scale(sym, QgsSymbolLayer.PropertyStrokeStyle, _beyond(OVERVIEW_SCALE, "'no'", "'solid'"))
    return _by_scale(sym, QgsSymbolLayer.PropertyStrokeColor, _beyond(DETAIL_SCALE, "'#c4c4c4'", "'#9a9a9a'"))


def _hatched(colour: str, outline: str, width: float, alpha: int, style: str, far_width: float) -> QgsFillSymbol:
    """A hatching from DETAIL_SCALE on; beyond it the outline only (hatching small areas at county scale makes
    solid blots that hide what lies under them)."""
    sym = _fill(colour, outline, width, alpha=alpha, style=style)
    _by_scale(sym, QgsSymbolLayer.PropertyFillStyle, _beyond(DETAIL_SCALE, "'no'", f"'{style}'"))
    return _by_scale(sym, QgsSymbolLayer.PropertyStrokeWidth, _beyond(DETAIL_SCALE, str(far_width), str(width)))


def patch_renderer(lang: str = "zh") -> QgsCategorizedSymbolRenderer:
    return categorized("stage", STAGE_COLOURS, schema.STAGES, lang, symbol=_patch_symbol)


def basemap_renderer(lang: str = "zh") -> QgsCategorizedSymbolRenderer:
    colours = {c.code: land_class_colour(c.code) for c in schema.LAND_CLASSES}
    return categorized(schema.LANDCLASS_FIELD, colours, schema.LAND_CLASSES, lang, with_code=True,
                       symbol=_basemap_symbol)


def _finding_symbol(colour: str) -> QgsFillSymbol:
    """A finding: its outline in the severity colour, hatched from 1:25 000 on; at county scale (beyond 1:50 000)
    a ring around it instead, the patch visible inside (an outline there would cover a patch smaller than the
    line)."""
    sym = _hatched(colour, colour, 0.7, 200, "b_diagonal", 0.5)
    sym.symbolLayer(0).setDataDefinedProperty(QgsSymbolLayer.PropertyLayerEnabled, QgsProperty.fromExpression(
        f"coalesce(@map_scale, 0) <= {OVERVIEW_SCALE:.0f}"))
    ring = QgsCentroidFillSymbolLayer()
    ring.setSubSymbol(QgsMarkerSymbol.createSimple({
        "name": "circle", "color": "0,0,0,0", "outline_color": colour, "outline_width": "0.35",
        "outline_width_unit": "MM", "size": "2.4", "size_unit": "MM"}))
    ring.setPointOnSurface(True)
    ring.setPointOnAllParts(False)
    ring.setDataDefinedProperty(QgsSymbolLayer.PropertyLayerEnabled, QgsProperty.fromExpression(
        f"@map_scale > {OVERVIEW_SCALE:.0f}"))
    sym.appendSymbolLayer(ring)
    return sym


def issues_renderer(lang: str = "zh") -> QgsCategorizedSymbolRenderer:
    """Findings as an outline in the severity colour, hatched from 1:25 000 on, rings at county scale: the patch
    under them stays visible (no opaque fill), and at county scale they do not merge into red blots."""
    cats = []
    for c in schema.SEVERITIES:
        cats.append(QgsRendererCategory(c.code, _finding_symbol(SEVERITY_COLOURS.get(c.code, "#e31a1c")),
                                        category_label(schema.SEVERITIES, c.code, lang)))
    cats.append(QgsRendererCategory(None, _finding_symbol("#e31a1c"), other_label(lang)))
    return QgsCategorizedSymbolRenderer("severity", cats)


def farmland_renderer() -> QgsSingleSymbolRenderer:
    """Permanent basic farmland: a brown hatching from 1:25 000 on; beyond, a faint tint without outlines."""
    sym = _fill(FARMLAND_COLOUR, FARMLAND_COLOUR, 0.3, alpha=255, style="f_diagonal")
    tint = QColor(FARMLAND_TINT)
    far_fill = f"'{tint.red()},{tint.green()},{tint.blue()},70'"
    _by_scale(sym, QgsSymbolLayer.PropertyFillStyle, _beyond(DETAIL_SCALE, "'solid'", "'f_diagonal'"))
    _by_scale(sym, QgsSymbolLayer.PropertyFillColor, _beyond(DETAIL_SCALE, far_fill, f"'{FARMLAND_COLOUR}'"))
    _by_scale(sym, QgsSymbolLayer.PropertyStrokeStyle, _beyond(DETAIL_SCALE, "'no'", "'solid'"))
    return QgsSingleSymbolRenderer(sym)


def history_renderer() -> QgsSingleSymbolRenderer:
    """Earlier years' patches: a purple hatching from 1:25 000 on; beyond, a thin light outline (background)."""
    sym = _hatched("#9e9ac8", "#54278f", 0.4, 90, "b_diagonal", 0.25)
    _by_scale(sym, QgsSymbolLayer.PropertyStrokeColor, _beyond(DETAIL_SCALE, "'#9e9ac8'", "'#54278f'"))
    return QgsSingleSymbolRenderer(sym)


# Which code list labels the categories of which table's renderer (and whether the label starts with the code).
LEGEND_CODE_LISTS = {schema.PATCHES: (schema.STAGES, False), schema.BASEMAP: (schema.LAND_CLASSES, True),
                     schema.ISSUES: (schema.SEVERITIES, False), schema.ADMIN: (schema.ADMIN_LEVELS, False)}


def relabel_legend(layer: QgsVectorLayer, table: str, lang: str = "zh") -> int:
    """Put `lang`'s labels on the categories of a working-copy layer whose label is still a plugin default (in
    either language, with or without the code); labels a user changed stay. Returns how many changed."""
    renderer = layer.renderer()
    if table not in LEGEND_CODE_LISTS or not isinstance(renderer, QgsCategorizedSymbolRenderer):
        return 0
    code_list, with_code = LEGEND_CODE_LISTS[table]
    changed = 0
    for i, cat in enumerate(renderer.categories()):
        value = cat.value()
        code = None if value is None or (hasattr(value, "isNull") and value.isNull()) or value == "" else str(value)
        if code is None:
            defaults, new = set(OTHER_LABELS.values()), other_label(lang)
        elif code in code_list:
            defaults = {category_label(code_list, code, lg, wc) for lg in ("zh", "en") for wc in (True, False)}
            new = category_label(code_list, code, lang, with_code)
        else:
            continue
        if cat.label() in defaults and cat.label() != new:
            renderer.updateCategoryLabel(i, new)
            changed += 1
    if changed:
        layer.triggerRepaint()
    return changed


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
        cats.append(QgsRendererCategory(c.code, sym, category_label(schema.ADMIN_LEVELS, c.code, lang)))
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
        layer.setRenderer(history_renderer())
    elif table == schema.FARMLAND:
        layer.setRenderer(farmland_renderer())
    elif table == schema.ADMIN:
        layer.setRenderer(admin_renderer(lang))
    else:
        return False
    layer.triggerRepaint()
    return True
