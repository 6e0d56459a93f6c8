"""County map as PDF through a QGIS print layout: patches by stage over the base map, with legend,
scale bar, north arrow, title, date and CRS note. Uses a private QgsProject so the user's project is untouched."""

from __future__ import annotations

import datetime as _dt
import os
from typing import Dict, Optional, Tuple

from qgis.core import (
    QgsApplication,
    QgsLayerTree,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLegendStyle,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QColor, QFont

from ... import schema
from ...i18n import tr
from ...settings import WorkingCopyKey
from .. import styles
from ..output_file import OutputFileError, OutputIncomplete, atomic_output, reason
from ..project import open_layer

FONT_FAMILY = "Noto Sans CJK SC"  # renders Chinese; QGIS falls back to a default font where it is missing
A3 = (420.0, 297.0)


def _font(size: float, bold: bool = False) -> QFont:
    f = QFont(FONT_FAMILY)
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


def north_arrow_svg() -> str:
    """QGIS's own north arrow SVG (shipped with every QGIS)."""
    for base in QgsApplication.svgPaths():
        p = os.path.join(base, "arrows", "NorthArrow_02.svg")
        if os.path.exists(p):
            return p
    return ""


def _styled(layer: QgsVectorLayer, table: str) -> QgsVectorLayer:
    """A copy of `layer` with the plugin's default style when it has no categorized one of its own."""
    clone = layer.clone()
    fields = clone.fields()
    if table == schema.PATCHES and fields.indexFromName("stage") >= 0 and clone.renderer().type() != "categorizedSymbol":
        clone.setRenderer(styles.patch_renderer())
    elif table == schema.BASEMAP and fields.indexFromName(schema.LANDCLASS_FIELD) >= 0 \
            and clone.renderer().type() != "categorizedSymbol":
        clone.setRenderer(styles.basemap_renderer())
    elif table == schema.ADMIN and fields.indexFromName("level") >= 0 and clone.renderer().type() != "categorizedSymbol":
        clone.setRenderer(styles.admin_renderer())
    return clone


def export_map_pdf(layers: Dict[str, QgsVectorLayer], out_pdf: str, title: str, date: Optional[_dt.date] = None,
                   extent: Optional[QgsRectangle] = None, page_mm=A3) -> str:
    """Lay out and export the map; `layers` maps table names (patches, basemap, admin_units, ...) to layers.
    core.output_file.OutputFileError (an OSError, its text for the user) when the PDF cannot be written or comes out
    incomplete: nothing is left half written, and a map already at `out_pdf` is kept unchanged."""
    if schema.PATCHES not in layers:
        raise ValueError(tr("The map needs the patches layer"))
    date = date or _dt.date.today()
    project = QgsProject()
    order = [t for t in (schema.PATCHES, schema.HISTORY, schema.FARMLAND, schema.ADMIN, schema.BASEMAP) if t in layers]
    map_layers = [_styled(layers[t], t) for t in order]
    for lyr in map_layers:
        project.addMapLayer(lyr, False)
    project.setCrs(map_layers[0].crs())

    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    page = layout.pageCollection().page(0)
    page.setPageSize(QgsLayoutSize(page_mm[0], page_mm[1], QgsUnitTypes.LayoutMillimeters))
    w, h = page_mm
    margin, legend_w, title_h = 10.0, 95.0, 22.0

    heading = QgsLayoutItemLabel(layout)
    heading.setText(title)
    heading.setFont(_font(24, bold=True))
    heading.attemptMove(QgsLayoutPoint(margin, margin - 2))
    heading.attemptResize(QgsLayoutSize(w - 2 * margin, 14))
    layout.addLayoutItem(heading)

    map_item = QgsLayoutItemMap(layout)
    map_item.attemptMove(QgsLayoutPoint(margin, margin + title_h - 8))
    map_w, map_h = w - 3 * margin - legend_w, h - 2 * margin - title_h - 6
    map_item.attemptResize(QgsLayoutSize(map_w, map_h))
    map_item.setLayers(map_layers)
    map_item.setCrs(project.crs())
    ext = QgsRectangle(extent) if extent is not None else QgsRectangle(
        (layers.get(schema.ADMIN) or layers.get(schema.BASEMAP) or layers[schema.PATCHES]).extent())
    ext.scale(1.04)
    map_item.setFrameEnabled(True)
    layout.addLayoutItem(map_item)
    # setExtent reshapes the frame to the extent's aspect; restore the frame, then fit the extent into it
    # (zoomToExtent alone yields an empty extent on a fresh item in 3.22).
    map_item.setExtent(ext)
    map_item.attemptResize(QgsLayoutSize(map_w, map_h))
    map_item.zoomToExtent(ext)

    legend = QgsLayoutItemLegend(layout)
    legend.setTitle(tr("Legend"))
    legend.setAutoUpdateModel(False)
    root = QgsLayerTree()
    for lyr in map_layers:
        root.addLayer(lyr)
    legend.model().setRootGroup(root)
    legend.setLinkedMap(map_item)
    legend.setLegendFilterByMapEnabled(True)  # only the land classes that are on the map
    legend.setColumnCount(2)
    legend.setSplitLayer(True)
    for style_name, size, bold in ((QgsLegendStyle.Title, 14, True), (QgsLegendStyle.Group, 11, True),
                                   (QgsLegendStyle.Subgroup, 10, True), (QgsLegendStyle.SymbolLabel, 8, False)):
        legend.setStyleFont(style_name, _font(size, bold))
    legend.setSymbolWidth(6)
    legend.setSymbolHeight(4)
    legend.attemptMove(QgsLayoutPoint(w - margin - legend_w, margin + title_h - 8))
    legend.setResizeToContents(True)
    layout.addLayoutItem(legend)

    arrow = QgsLayoutItemPicture(layout)
    svg = north_arrow_svg()
    if svg:
        arrow.setPicturePath(svg)
    arrow.attemptMove(QgsLayoutPoint(margin + map_w - 22, margin + title_h - 4))
    arrow.attemptResize(QgsLayoutSize(16, 22))
    layout.addLayoutItem(arrow)

    bar = QgsLayoutItemScaleBar(layout)
    bar.setStyle("Single Box")
    bar.setLinkedMap(map_item)
    bar.setUnits(QgsUnitTypes.DistanceKilometers)
    bar.setUnitLabel(tr("km"))
    bar.setNumberOfSegments(4)
    bar.setNumberOfSegmentsLeft(0)
    bar.setUnitsPerSegment(1.0)
    bar.applyDefaultSize(QgsUnitTypes.DistanceKilometers)
    text = QgsTextFormat()
    text.setFont(_font(9))
    text.setSize(9)
    bar.setTextFormat(text)
    bar.setBackgroundEnabled(True)
    bar.setBackgroundColor(QColor(255, 255, 255, 220))
    bar.attemptMove(QgsLayoutPoint(margin + 4, margin + title_h - 8 + map_h - 16))
    layout.addLayoutItem(bar)

    note = QgsLayoutItemLabel(layout)
    note.setText(tr("Date: {0}    Coordinate system: {1} ({2})    Areas: CGCS2000 ellipsoidal, mu").format(
        date.isoformat(), project.crs().description(), project.crs().authid()))
    note.setFont(_font(9))
    note.attemptMove(QgsLayoutPoint(margin, h - margin - 4))
    note.attemptResize(QgsLayoutSize(w - 2 * margin, 6))
    layout.addLayoutItem(note)

    try:
        os.makedirs(os.path.dirname(os.path.abspath(out_pdf)), exist_ok=True)
    except OSError as e:
        raise OutputFileError(out_pdf, reason(e), os.path.exists(out_pdf)) from None
    exporter = QgsLayoutExporter(layout)
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = 200
    try:
        with atomic_output(out_pdf) as tmp:  # a failed export keeps the map that was there, and leaves no part of one
            result = exporter.exportToPdf(tmp, settings)
            if result != QgsLayoutExporter.Success:
                raise OutputIncomplete(_export_failure(result))
            if not _complete_pdf(tmp):  # QGIS 3.22 says Success with a PDF cut short by a full disk
                raise OutputIncomplete(tr("the PDF was cut short (is the disk full?)"))
    finally:
        # gone now, while QGIS runs: an error's traceback keeps this frame, and a layout destroyed after QGIS
        # has exited crashes the process on its way out
        del exporter, layout, project, map_layers, map_item, legend, root, arrow, bar, heading, note
    return out_pdf


def _export_failure(result) -> str:
    """Why QgsLayoutExporter failed, in the user's words."""
    if result == QgsLayoutExporter.FileError:
        return tr("the file could not be created there")
    if result == QgsLayoutExporter.MemoryError:
        return tr("there is not enough memory to draw the map")
    if result == QgsLayoutExporter.Canceled:
        return tr("the export was canceled")
    return tr("QGIS could not draw the layout (error {0})").format(int(result))


def _complete_pdf(path: str) -> bool:
    """True for a PDF written to its end: it starts with %PDF- and its last kilobyte holds the %%EOF marker."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(5)
            fh.seek(max(0, os.path.getsize(path) - 1024))
            tail = fh.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail


def map_from_working_copy(path: str, out_pdf: str, title: Optional[str] = None,
                          date: Optional[_dt.date] = None) -> str:
    """The county map of a working copy: its reference layers from its own tables, or from the PostGIS tables its
    reference_source setting names (postgis_map_layers). Raises checks.pg_source.ReferenceSourceError (a
    ValueError) when that database cannot be used: a map without its base map would not say so."""
    from .. import geopackage

    layers = {schema.PATCHES: open_layer(path, schema.PATCHES)}
    extent = None
    pg = postgis_map_layers(path)
    if pg is None:
        layers.update({t: open_layer(path, t) for t in (schema.HISTORY, schema.FARMLAND, schema.ADMIN, schema.BASEMAP)})
    else:
        refs, extent = pg
        layers.update(refs)
    name = geopackage.get_setting(path, WorkingCopyKey.COUNTY_NAME, "") or ""
    return export_map_pdf(layers, out_pdf, title or tr("{0} afforestation patches map").format(name).strip(), date,
                          extent=extent)


MAP_ROLES = ("history", "farmland", "admin", "basemap")  # pg_source roles drawn on the map


def postgis_map_layers(path: str, lang: str = "zh") -> Optional[Tuple[Dict[str, QgsVectorLayer], QgsRectangle]]:
    """({table: layer}, map extent) of the reference layers from the working copy's PostGIS reference source; None
    when its own tables are the reference. The extent is the working copy's county (its administrative units, by
    the setting county_code; the patches' extent without any), in the working copy's CRS; the admin layer holds the
    county's units, the base map, farmland and earlier years' patches only what meets the extent (a province's
    tables are not drawn whole)."""
    import numpy as np
    import shapely

    from .. import geopackage
    from ..attributes import postgis_reference_layers
    from ..checks import pg_source
    from ..checks.gpkg_io import patches_epsg, read_table
    from ..checks.projection import metres_in
    from ..project import layer_name

    source = pg_source.configured(path)
    if source is None:
        return None
    epsg = pg_source.need_epsg(patches_epsg(path))
    county = str(geopackage.get_setting(path, WorkingCopyKey.COUNTY_CODE) or "").strip()
    admin = pg_source.read_admin(source, int(epsg), code_prefix=county or None)  # the county's, not the province's
    area = [g for g, c in zip(admin["admin_geoms"], admin["admin_codes"])
            if county and g is not None and not g.is_empty and str(c or "").strip().startswith(county)]
    if not area:  # no county units: the patches'
        area = [g for g in read_table(path, schema.PATCHES, [])[1] if g is not None and not g.is_empty]
    b = shapely.total_bounds(np.asarray(area, dtype=object)) if area else np.zeros(4)
    if not np.all(np.isfinite(b)):
        b = np.zeros(4)
    m = metres_in(epsg, pg_source.WINDOW_MARGIN_M)
    window = (b[0] - m, b[1] - m, b[2] + m, b[3] + m)
    got = postgis_reference_layers(path, MAP_ROLES, window=window, epsg=int(epsg), admin_prefix=county or None)
    layers = {}
    for role, layer in zip(MAP_ROLES, got):
        table = pg_source.KINDS[role][0]
        layer.setName(layer_name(table, lang))
        styles.apply_default_style(layer, table, lang)
        layers[table] = layer
    return layers, QgsRectangle(float(b[0]), float(b[1]), float(b[2]), float(b[3]))
