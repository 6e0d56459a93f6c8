"""Attribute form setup of the patch layer (and the base map): aliases, value maps, constraints, defaults, tabs.

Everything comes from `schema`; the project-file builder calls `configure_patch_layer` so the .qgz carries the form.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from qgis.core import (
    QgsAttributeEditorContainer,
    QgsAttributeEditorField,
    QgsDefaultValue,
    QgsEditFormConfig,
    QgsEditorWidgetSetup,
    QgsFeature,
    QgsFieldConstraints,
    QgsFields,
    QgsVectorLayer,
    QgsVectorLayerUtils,
)

from .. import schema
from ..i18n import tr

# Fields the plugin fills from the geometry (attributes.py): the form shows them read-only and their
# not-null constraint is soft, because a freshly digitized patch only gets them when it is added.
# Not tuban_no (图斑编号): the plugin numbers a patch added without one (attributes.PatchNumberer, the working copy's
# scheme), but a number typed in the form or imported from a contractor's file is kept, so it stays editable.
AUTO_FILLED = frozenset(["patch_id", "county_code", "township_code", "village_code", "prev_dlbm", "area_mu",
                         "area_ha", "stage", "parent_ids", "created_at", "updated_at", "revision", "server_version"])

# Tabs of the drag-and-drop form: (key, English title, Chinese title, fields).
FORM_TABS: Tuple[Tuple[str, str, str, Tuple[str, ...]], ...] = (
    ("basic", "Basic", "基本信息", ("tuban_no", "lin_ban", "xiao_ban", "year", "plan_year", "stage", "prev_dlbm",
                                    "area_mu", "area_ha", "remark")),
    ("admin", "Administrative", "行政区划", ("county_code", "township_code", "village_code")),
    ("planting", "Planting", "造林信息", ("method", "restore_method", "forest_type", "species", "density",
                                        "contractor", "design_date", "approval_no")),
    ("acceptance", "Acceptance", "验收信息", ("survival_rate", "accept_date")),
    ("system", "System", "系统信息", ("patch_id", "parent_ids", "created_at", "updated_at", "revision",
                                      "server_version")),
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value_map(code_list: str, lang: str) -> List[Dict[str, str]]:
    cl = schema.CODE_LISTS[code_list]
    return [{k: v} for k, v in cl.value_map(lang, with_code=code_list == "dlbm").items()]


def _labelled_fields(layer: QgsVectorLayer, fields_of_schema, lang: str):
    """(index, schema field) of the layer's schema fields, each given its alias and, with a code list, a value map."""
    fields = layer.fields()
    out = []
    for f in fields_of_schema:
        idx = fields.indexFromName(f.name)
        if idx < 0:
            continue
        layer.setFieldAlias(idx, f.label(lang))
        if f.code_list:
            layer.setEditorWidgetSetup(idx, QgsEditorWidgetSetup("ValueMap", {"map": _value_map(f.code_list, lang)}))
        out.append((idx, f))
    return out


def constraint_expression(f: schema.Field, lang: str = "en") -> Tuple[str, str]:
    """QGIS expression (and its description) enforcing the field's range, pattern and stage requirement; '' if none."""
    q = _quote(f.name)
    parts: List[str] = []
    desc: List[str] = []
    if f.min_value is not None:
        parts.append(f"{q} >= {f.min_value:g}")
    if f.max_value is not None:
        parts.append(f"{q} <= {f.max_value:g}")
    if f.min_value is not None or f.max_value is not None:
        lo = "" if f.min_value is None else f"{f.min_value:g}"
        hi = "" if f.max_value is None else f"{f.max_value:g}"
        desc.append(tr("value in range {0}..{1}").format(lo, hi))
    if f.pattern:
        parts.append("regexp_match({0}, '{1}') > 0".format(q, f.pattern.replace("\\", "\\\\").replace("'", "''")))
        desc.append(tr("format {0}").format(f.pattern))
    if f.code_list:
        codes = ", ".join("'" + c.replace("'", "''") + "'" for c in schema.CODE_LISTS[f.code_list].values())
        parts.append(f"{q} IN ({codes})")
        desc.append(tr("a code of the list"))
    expr = ""
    if parts:
        expr = f"{q} IS NULL OR ({' AND '.join(parts)})"
    if f.required_from and not f.required:
        # Required only once the patch reached `required_from`: the earlier stages may leave it empty.
        earlier = [c for c, i in schema.STAGE_ORDER.items() if i < schema.STAGE_ORDER[f.required_from]]
        stage_ok = '"stage" IN ({0}) OR {1} IS NOT NULL'.format(", ".join(f"'{s}'" for s in earlier), q)
        expr = f"({stage_ok}) AND ({expr})" if expr else stage_ok
        desc.append(tr("required from stage {0}").format(schema.stage_label(f.required_from, lang)))
    return expr, "; ".join(desc)


def configure_patch_layer(layer: QgsVectorLayer, lang: str = "zh") -> None:
    """Aliases, value maps, constraints, defaults, read-only flags and the tabbed form of a patch layer."""
    for idx, f in _labelled_fields(layer, schema.PATCH_FIELDS, lang):
        if f.code_list:
            pass  # a value map, set by _labelled_fields
        elif f.type == schema.DATE:
            layer.setEditorWidgetSetup(idx, QgsEditorWidgetSetup("DateTime", {
                "field_format": "yyyy-MM-dd", "display_format": "yyyy-MM-dd", "calendar_popup": True,
                "allow_null": True}))
        elif f.type == schema.DATETIME:
            layer.setEditorWidgetSetup(idx, QgsEditorWidgetSetup("DateTime", {
                "field_format": "yyyy-MM-ddTHH:mm:ss", "display_format": "yyyy-MM-dd HH:mm:ss", "allow_null": True}))
        elif f.type in (schema.INTEGER, schema.REAL) and f.editable:
            cfg = {"Style": "SpinBox", "AllowNull": True}
            if f.min_value is not None:
                cfg["Min"] = f.min_value
            if f.max_value is not None:
                cfg["Max"] = f.max_value
            if f.type == schema.REAL:
                cfg["Precision"] = 2
            layer.setEditorWidgetSetup(idx, QgsEditorWidgetSetup("Range", cfg))
        elif f.name == "remark":
            layer.setEditorWidgetSetup(idx, QgsEditorWidgetSetup("TextEdit", {"IsMultiline": True}))
        if f.required:
            strength = (QgsFieldConstraints.ConstraintStrengthSoft if f.name in AUTO_FILLED
                        else QgsFieldConstraints.ConstraintStrengthHard)
            layer.setFieldConstraint(idx, QgsFieldConstraints.ConstraintNotNull, strength)
        expr, desc = constraint_expression(f, lang)
        if expr:
            layer.setConstraintExpression(idx, expr, desc)
            layer.setFieldConstraint(idx, QgsFieldConstraints.ConstraintExpression,
                                     QgsFieldConstraints.ConstraintStrengthSoft if f.name in AUTO_FILLED
                                     else QgsFieldConstraints.ConstraintStrengthHard)
        if f.default_expression:
            layer.setDefaultValueDefinition(idx, QgsDefaultValue(f.default_expression, False))
    # What QGIS itself calls a patch (the status bar's selection note, identify results, the form's title): its
    # 图斑编号, else its short id, as schema.patch_label does; never the whole UUID.
    if layer.fields().indexFromName("tuban_no") >= 0 and layer.fields().indexFromName("patch_id") >= 0:
        layer.setDisplayExpression("coalesce(nullif(trim(\"tuban_no\"), ''), left(\"patch_id\", 8))")
    _configure_form(layer, lang)


def _configure_form(layer: QgsVectorLayer, lang: str) -> None:
    cfg: QgsEditFormConfig = layer.editFormConfig()
    cfg.setLayout(QgsEditFormConfig.TabLayout)
    cfg.clearTabs()
    fields = layer.fields()
    placed = set()
    for _key, en, zh, names in FORM_TABS:
        tab = QgsAttributeEditorContainer(zh if lang.startswith("zh") else en, cfg.invisibleRootContainer())
        tab.setIsGroupBox(False)
        tab.setColumnCount(1)
        for name in names:
            idx = fields.indexFromName(name)
            if idx >= 0:
                tab.addChildElement(QgsAttributeEditorField(name, idx, tab))
                placed.add(name)
        cfg.addTab(tab)
    # Fields the schema does not know (added by a province) still appear, on the last tab.
    extra = [f.name() for f in fields if f.name() not in placed and f.name() != "fid"]
    if extra:
        tab = QgsAttributeEditorContainer(tr("Other"), cfg.invisibleRootContainer())
        tab.setIsGroupBox(False)
        for name in extra:
            tab.addChildElement(QgsAttributeEditorField(name, fields.indexFromName(name), tab))
        cfg.addTab(tab)
    for f in schema.PATCH_FIELDS:
        idx = fields.indexFromName(f.name)
        if idx >= 0:
            cfg.setReadOnly(idx, (not f.editable) or f.name in AUTO_FILLED)
    fid = fields.indexFromName("fid")
    if fid >= 0:
        cfg.setReadOnly(fid, True)
    layer.setEditFormConfig(cfg)


def configure_basemap_layer(layer: QgsVectorLayer, lang: str = "zh") -> None:
    """Aliases and the DLBM value map ("0301 乔木林地") of the base-map layer; the base map is read-only."""
    _labelled_fields(layer, schema.BASEMAP_FIELDS, lang)


def _field_tabs(layer: QgsVectorLayer) -> Dict[str, str]:
    """Field name -> title of the form tab it is on (drag-and-drop form), for every field placed on a tab."""
    out: Dict[str, str] = {}

    def walk(element, tab: str) -> None:
        for child in element.children():
            if isinstance(child, QgsAttributeEditorField):
                out.setdefault(child.name(), tab)
            elif isinstance(child, QgsAttributeEditorContainer):
                walk(child, tab)

    cfg = layer.editFormConfig()
    if cfg.layout() == QgsEditFormConfig.TabLayout:
        for tab in cfg.tabs():
            if isinstance(tab, QgsAttributeEditorContainer):
                walk(tab, tab.name())
    return out


def missing_fields(layer: QgsVectorLayer, feature: QgsFeature) -> List[Tuple[str, str]]:
    """(label, tab title) of the editable fields whose hard constraints (required, range, code list) the feature
    does not meet: what keeps the form's OK button disabled. The tab is '' without a tabbed form."""
    tabs = _field_tabs(layer)
    cfg = layer.editFormConfig()
    out = []
    for idx, field in enumerate(layer.fields()):
        if cfg.readOnly(idx) or layer.fields().fieldOrigin(idx) not in (QgsFields.OriginProvider,
                                                                          QgsFields.OriginEdit):
            continue
        ok, _errors = QgsVectorLayerUtils.validateAttribute(layer, feature, idx,
                                                            QgsFieldConstraints.ConstraintStrengthHard)
        if not ok:
            out.append((layer.attributeDisplayName(idx), tabs.get(field.name(), "")))
    return out


def missing_fields_text(missing: List[Tuple[str, str]]) -> str:
    """The notice at the top of a patch form: which fields to fill or correct, and on which tab."""
    if not missing:
        return ""
    items = [tr("{0} (tab {1})").format(label, tab) if tab else label for label, tab in missing]
    return tr("OK is disabled until these fields are filled in or corrected: {0}").format("; ".join(items))
