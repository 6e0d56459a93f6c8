"""Open a working copy as QGIS layers, store default styles in it, and write a QGIS project for it."""

from __future__ import annotations

import os
from typing import Dict, Optional, Tuple

from qgis.core import (
    QgsAttributeTableConfig,
    QgsCoordinateReferenceSystem,
    QgsEditorWidgetSetup,
    QgsField,
    QgsFields,
    QgsLayerTreeGroup,
    QgsProject,
    QgsProviderRegistry,
    QgsRectangle,
    QgsReferencedRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QVariant

from .. import schema
from ..i18n import tr
from . import geopackage, styles

# Layer order in the project, top to bottom, and the group each goes in.
PROJECT_LAYERS = (
    (schema.ISSUES, "checks"), (schema.PATCHES, "work"), (schema.HISTORY, "work"),
    (schema.ADMIN, "reference"), (schema.FARMLAND, "reference"), (schema.BASEMAP, "reference"),
    (schema.TASKS, "tables"), (schema.EXCEPTIONS, "tables"), (schema.AUDIT, "tables"), (schema.CHECK_STATE, "tables"),
)


def group_names() -> Dict[str, str]:
    return {"checks": tr("Checks"), "work": tr("Afforestation patches"), "reference": tr("Reference layers"),
            "tables": tr("Tables")}


def layer_name(table: str, lang: str = "zh") -> str:
    return schema.LAYER[table].label(lang)


def open_layer(path: str, table: str, lang: str = "zh", style: bool = True) -> QgsVectorLayer:
    """A QgsVectorLayer on one table of the working copy, named from the schema, with its default style."""
    layer = QgsVectorLayer(geopackage.layer_uri(path, table), layer_name(table, lang), "ogr")
    if not layer.isValid():
        raise geopackage.WorkingCopyError(tr("Cannot open layer {0} of {1}").format(table, path))
    if style:
        # The style stored in the GeoPackage loads automatically; fall back to the built-in one.
        if not _has_stored_style(layer):
            styles.apply_default_style(layer, table, lang)
        else:  # stored in the language of whoever made the working copy: the legend follows this UI's language
            styles.relabel_legend(layer, table, lang)
    configure_fields(layer, table, lang)
    return layer


def geopackage_table(layer) -> Optional[Tuple[str, str]]:
    """(GeoPackage path, table name) behind a vector layer: the working copy and the table a layer shows. None for
    anything else (no layer, another provider or format, a file that is not there). The table name is "" for a URI
    that names none (the file's first table)."""
    if not isinstance(layer, QgsVectorLayer) or layer.providerType() != "ogr":
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path, name = parts.get("path"), parts.get("layerName")
    if not isinstance(path, str) or not path.lower().endswith(".gpkg") or not os.path.isfile(path):
        return None
    return path, name if isinstance(name, str) else ""


def _has_stored_style(layer: QgsVectorLayer) -> bool:
    try:
        return bool(layer.listStylesInDatabase()[0])
    except Exception:  # providers without style storage
        return False


def configure_fields(layer: QgsVectorLayer, table: str, lang: str = "zh") -> None:
    """Aliases, value maps and read-only flags from the schema for any working-copy table."""
    if table == schema.PATCHES or table == schema.HISTORY:
        try:
            from .forms import configure_patch_layer
        except ImportError:  # forms module not available: fall back to aliases and value maps
            configure_patch_layer = None
        if configure_patch_layer is not None:
            configure_patch_layer(layer, lang)
            if table == schema.HISTORY:
                layer.setReadOnly(True)
            return
    ldef = schema.LAYER[table]
    for f in ldef.fields:
        idx = layer.fields().indexFromName(f.name)
        if idx < 0:
            continue
        layer.setFieldAlias(idx, f.label(lang))
        if f.code_list:
            cl = schema.CODE_LISTS[f.code_list]
            vmap = [{k: v} for k, v in cl.value_map(lang, with_code=f.code_list == "dlbm").items()]
            layer.setEditorWidgetSetup(idx, QgsEditorWidgetSetup("ValueMap", {"map": vmap}))
    if table in (schema.AUDIT, schema.CHECK_STATE):
        layer.setReadOnly(True)
    if table == schema.ISSUES:
        configure_findings_value(layer, lang)


VALUE_TEXT = "value_text"  # the findings layer's readable value (a virtual field, see configure_findings_value)


def configure_findings_value(layer: QgsVectorLayer, lang: str = "zh") -> None:
    """The findings layer shows its measured value as people read it: a virtual field value_text (rounded as the
    rule says, with the unit in the UI language, empty for attribute findings) takes the place of the raw number,
    which is hidden in the attribute table, the form and the identify results. The expression is set again at
    every opening (a stored style may hold it in another language)."""
    from .checks.rules import value_text_expression

    expression = value_text_expression()
    idx = layer.fields().indexFromName(VALUE_TEXT)
    if idx >= 0 and layer.fields().fieldOrigin(idx) == QgsFields.OriginExpression:
        layer.updateExpressionField(idx, expression)
    elif idx < 0:
        layer.addExpressionField(expression, QgsField(VALUE_TEXT, QVariant.String, "string", 60))
        idx = layer.fields().indexFromName(VALUE_TEXT)
    if idx < 0:
        return
    value_field = next(f for f in schema.ISSUE_FIELDS if f.name == "value")
    layer.setFieldAlias(idx, value_field.label(lang))
    raw = layer.fields().indexFromName("value")
    if raw >= 0:
        layer.setEditorWidgetSetup(raw, QgsEditorWidgetSetup("Hidden", {}))
    # The attribute table: value_text where the raw value was, the raw value hidden.
    config = layer.attributeTableConfig()
    columns = [c for c in config.columns() if c.name != VALUE_TEXT]
    text_column = QgsAttributeTableConfig.ColumnConfig()
    text_column.name = VALUE_TEXT
    text_column.type = QgsAttributeTableConfig.Field
    text_column.hidden = False
    at = next((i for i, c in enumerate(columns) if c.name == "value"), len(columns) - 1)
    columns.insert(at + 1, text_column)
    for c in columns:
        if c.name == "value":
            c.hidden = True
    config.setColumns(columns)
    layer.setAttributeTableConfig(config)


def store_default_styles(path: str, lang: str = "zh") -> None:
    """Save each table's default style in the GeoPackage's layer_styles table (used when the layer is opened)."""
    for table, _group in PROJECT_LAYERS:
        if schema.LAYER[table].geometry is None:
            continue
        layer = QgsVectorLayer(geopackage.layer_uri(path, table), layer_name(table, lang), "ogr")
        if not layer.isValid():
            raise geopackage.WorkingCopyError(tr("Cannot open layer {0} of {1}").format(table, path))
        styles.apply_default_style(layer, table, lang)
        configure_fields(layer, table, lang)
        err = layer.saveStyleToDatabase(table, tr("Default forestry style"), True, "")
        if err:
            raise geopackage.WorkingCopyError(tr("Cannot store the style of {0}: {1}").format(table, err))


def load_working_copy(path: str, project: Optional[QgsProject] = None, lang: str = "zh") -> Dict[str, QgsVectorLayer]:
    """Add the working copy's layers to `project` in groups; return them by table name."""
    layers: Dict[str, QgsVectorLayer] = {}
    for _table, done in load_working_copy_steps(path, project, lang):
        layers = done
    return layers


def load_working_copy_steps(path: str, project: Optional[QgsProject] = None, lang: str = "zh",
                            integrity: bool = True):
    """load_working_copy one layer at a time: yields (table, layers added so far) after each layer, so that a
    caller on the main thread can let QGIS redraw between layers (each takes tens of milliseconds).

    No layer-tree node is kept across a yield: the groups are looked up by name at every step, so a project that
    was cleared or replaced meanwhile is not touched through deleted nodes (a caller should stop iterating then,
    as the project dock does). integrity=False skips SQLite's quick_check here (seconds for a large county):
    the caller runs it elsewhere (the project dock in its SummaryTask, off the main thread)."""
    project = project or QgsProject.instance()
    settings = geopackage.verify_working_copy(path, integrity=integrity)
    crs = QgsCoordinateReferenceSystem(settings.get("crs") or schema.DEFAULT_PROJECT_CRS)
    if not project.crs().isValid() or project.count() == 0:
        project.setCrs(crs)
    yield None, {}  # the file was checked
    layers: Dict[str, QgsVectorLayer] = {}
    names = group_names()
    for table, group in PROJECT_LAYERS:
        node_group = _group(project, names[group])
        layer = open_layer(path, table, lang)
        project.addMapLayer(layer, False)
        node = node_group.addLayer(layer)
        if group == "tables":
            node_group.setExpanded(False)
        if table == schema.ISSUES:
            node.setItemVisibilityChecked(True)
        layers[table] = layer
        if table != PROJECT_LAYERS[-1][0]:
            yield table, dict(layers)
    _group(project, names["tables"]).setExpanded(False)
    yield PROJECT_LAYERS[-1][0], layers


def _group(project: QgsProject, name: str) -> QgsLayerTreeGroup:
    """The top-level layer-tree group `name` of `project` as it is now (created if missing)."""
    root = project.layerTreeRoot()
    return root.findGroup(name) or root.addGroup(name)


def write_project(path: str, qgz_path: str, lang: str = "zh", title: Optional[str] = None) -> str:
    """Write a QGIS project (.qgz) that opens the working copy with styles and attribute forms."""
    project = QgsProject()
    settings = geopackage.verify_working_copy(path)
    project.setCrs(QgsCoordinateReferenceSystem(settings.get("crs") or schema.DEFAULT_PROJECT_CRS))
    project.setTitle(title or tr("Afforestation mapping {0}").format(settings.get("county_name") or ""))
    layers = load_working_copy(path, project, lang)
    ext = QgsRectangle(layers[schema.ADMIN].extent())
    ext.scale(1.05)
    project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(ext, project.crs()))
    os.makedirs(os.path.dirname(os.path.abspath(qgz_path)), exist_ok=True)
    if not project.write(qgz_path):
        raise geopackage.WorkingCopyError(tr("Cannot write project {0}: {1}").format(qgz_path, project.error()))
    return qgz_path



def stage_summary(path: str) -> Dict[str, tuple]:
    """{stage: (patch count, area in mu)} of the working copy: reads every patch, so run it off the main thread
    for a large county (the project dock does it in a QgsTask)."""
    with geopackage.connect(path) as con:
        return {stage: (n, mu) for stage, n, mu in con.execute(
            f"SELECT stage, COUNT(*), COALESCE(SUM(area_mu), 0) FROM {schema.PATCHES} GROUP BY stage")}


def audit_problems_on_open(path: str) -> list:
    """Bring the working copy up to date and verify its audit log's hash chain (every row is hashed again: seconds
    for a county with a long history); the list of problems, empty when intact."""
    from . import audit, workflow

    workflow.upgrade_working_copy(path)
    return audit.problems(path)
