"""Automatic patch attributes (no GUI): ids, admin codes, previous land class, area, revision, split/merge lineage.

The GUI tools and the importer call these with plain geometries and attribute dicts; they never touch a file.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProject,
    QgsVectorLayer,
)

from .. import schema
from ..i18n import tr
from .area import AreaCalculator
from .geopackage import connect, layer_uri

# A patch is "across a boundary" when more than this share of its area lies outside its main village.
CROSSING_MIN_SHARE = 0.01
CROSSING_REMARK = "[跨界]"  # marker kept in `remark` so the flag survives in the GeoPackage and on the platform


class MergeRefused(ValueError):
    """Two or more patches may not be merged (different stage or county); the message says why."""


@dataclass
class AdminAssignment:
    """Admin codes of a patch from its location: the village with the largest share of its area."""

    county_code: Optional[str] = None
    township_code: Optional[str] = None
    village_code: Optional[str] = None
    crossing: bool = False
    shares: Dict[str, float] = field(default_factory=dict)  # village code -> share of the patch area (0..1)


def task_year(path: str) -> Optional[int]:
    """The year new patches belong to: the latest year with an annual task in the working copy (None: none)."""
    try:
        with connect(path) as con:
            row = con.execute(f"SELECT MAX(year) FROM {schema.TASKS}").fetchone()
    except Exception:  # no task table (an older or foreign GeoPackage): today's year is used
        return None
    return int(row[0]) if row and row[0] is not None else None


def new_patch_id() -> str:
    """A new lowercase UUID4 patch id."""
    return str(uuid.uuid4())


def now_iso() -> str:
    """The current local time as the ISO string stored in datetime fields."""
    return _dt.datetime.now().replace(microsecond=0).isoformat()


class _Index:
    """One reference layer, read around a geometry on demand through the provider's spatial index.

    Nothing is loaded up front: a county base map of a few hundred thousand parcels costs nothing until a patch is
    edited, and each edit reads only the parcels under it (the GeoPackage's R-tree answers in milliseconds).
    """

    def __init__(self, layer: QgsVectorLayer, crs: QgsCoordinateReferenceSystem, expression: Optional[str] = None):
        self.layer = layer
        self.expression = expression
        self.to_layer = self.from_layer = None
        if layer.crs().isValid() and crs.isValid() and layer.crs() != crs:
            ctx = QgsProject.instance().transformContext()
            self.to_layer = QgsCoordinateTransform(crs, layer.crs(), ctx)
            self.from_layer = QgsCoordinateTransform(layer.crs(), crs, ctx)

    def area_by(self, geom: QgsGeometry, field: str) -> Dict[str, float]:
        """Intersection area (CRS units) of `geom` with the features under it, summed per value of `field`."""
        rect = geom.boundingBox()
        if self.to_layer is not None:
            rect = self.to_layer.transformBoundingBox(rect)
        request = QgsFeatureRequest().setFilterRect(rect)
        if self.expression:
            request.setFilterExpression(self.expression)
        out: Dict[str, float] = {}
        engine = QgsGeometry.createGeometryEngine(geom.constGet())
        engine.prepareGeometry()
        for f in self.layer.getFeatures(request):
            g = QgsGeometry(f.geometry())
            if g.isNull() or g.isEmpty():
                continue
            if self.from_layer is not None:
                g.transform(self.from_layer)
            if not g.isGeosValid():
                g = g.makeValid()
            if not engine.intersects(g.constGet()):
                continue
            a = geom.intersection(g).area()
            value = schema.plain_value(f[field])
            if a > 0 and value not in (None, ""):
                out[str(value)] = out.get(str(value), 0.0) + a
        return out


class PatchContext:
    """Reference data (admin units, base map) and area calculator for filling patch attributes."""

    def __init__(self, admin_layer: Optional[QgsVectorLayer], basemap_layer: Optional[QgsVectorLayer],
                 crs: QgsCoordinateReferenceSystem | str, year: Optional[int] = None):
        self.crs = QgsCoordinateReferenceSystem(crs) if isinstance(crs, str) else crs
        self.calc = AreaCalculator(self.crs)
        self.year = year
        self._villages = _Index(admin_layer, self.crs, "\"level\" = 'village'") if admin_layer is not None else None
        self._base = _Index(basemap_layer, self.crs) if basemap_layer is not None else None

    @classmethod
    def from_working_copy(cls, path: str, crs: QgsCoordinateReferenceSystem | str | None = None) -> PatchContext:
        """Context from the admin_units and basemap tables of a working copy."""
        admin = QgsVectorLayer(layer_uri(path, schema.ADMIN), schema.ADMIN, "ogr")
        base = QgsVectorLayer(layer_uri(path, schema.BASEMAP), schema.BASEMAP, "ogr")
        if crs is None:
            crs = admin.crs()
        return cls(admin if admin.isValid() else None, base if base.isValid() else None, crs, task_year(path))

    # -- location-derived attributes --------------------------------------------------------
    def admin_codes(self, geom: QgsGeometry) -> AdminAssignment:
        """Village/township/county by the largest share of area; `crossing` if another village has a real share."""
        result = AdminAssignment()
        if self._villages is None or geom is None or geom.isEmpty():
            return result
        g = geom if geom.isGeosValid() else geom.makeValid()
        total = g.area()
        if total <= 0:
            return result
        by_code = self._villages.area_by(g, "code")
        if not by_code:
            return result
        result.shares = {c: a / total for c, a in by_code.items()}
        village = max(by_code, key=by_code.get)
        result.village_code = village
        result.township_code = village[:9]
        result.county_code = village[:6]
        others = sum(s for c, s in result.shares.items() if c != village)
        outside = max(0.0, 1.0 - sum(result.shares.values()))  # partly outside every village (county border)
        result.crossing = others > CROSSING_MIN_SHARE or outside > CROSSING_MIN_SHARE
        return result

    def dominant_land_class(self, geom: QgsGeometry) -> Optional[str]:
        """The base-map DLBM covering the largest part of the patch (None without base map cover)."""
        if self._base is None or geom is None or geom.isEmpty():
            return None
        g = geom if geom.isGeosValid() else geom.makeValid()
        by_class = self._base.area_by(g, schema.LANDCLASS_FIELD)
        return max(by_class, key=by_class.get) if by_class else None

    def areas(self, geom: QgsGeometry) -> Tuple[float, float]:
        """Ellipsoidal (mu, ha) rounded to 4 decimals."""
        a = self.calc.area(geom)
        return round(a.mu, 4), round(a.ha, 4)

    # -- attribute sets ---------------------------------------------------------------------
    def geometry_attributes(self, geom: QgsGeometry, remark: Optional[str] = None) -> Dict[str, Any]:
        """Everything that follows from the geometry: admin codes, 前地类, area, boundary remark."""
        adm = self.admin_codes(geom)
        mu, ha = self.areas(geom)
        out: Dict[str, Any] = {"area_mu": mu, "area_ha": ha, "prev_dlbm": self.dominant_land_class(geom)}
        if adm.village_code:
            out.update(county_code=adm.county_code, township_code=adm.township_code, village_code=adm.village_code)
        out["remark"] = with_crossing_remark(remark, adm.crossing)
        out["_crossing"] = adm.crossing
        out["_shares"] = adm.shares
        return out

    def new_patch(self, geom: QgsGeometry, attrs: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Attributes of a brand-new patch: user values kept, automatic ones filled."""
        a = dict(attrs or {})
        now = now_iso()
        if not a.get("patch_id"):
            a["patch_id"] = new_patch_id()
        if not a.get("year"):
            a["year"] = self.year or _dt.date.today().year
        a["stage"] = "design"
        a["created_at"] = a.get("created_at") or now
        a["updated_at"] = now
        a["revision"] = 1
        a["server_version"] = None
        a.update(self.geometry_attributes(geom, a.get("remark")))
        return a

    def changed_geometry(self, geom: QgsGeometry, attrs: Dict[str, Any], committed_revision: Optional[int]) -> \
            Dict[str, Any]:
        """Updates for a patch whose geometry changed: location attributes, area, updated_at, revision."""
        out = self.geometry_attributes(geom, attrs.get("remark"))
        out.update(touched(committed_revision))
        return out

    def split(self, parent: Dict[str, Any], parts: Sequence[QgsGeometry]) -> List[Dict[str, Any]]:
        """Attributes of the parts of a split patch: all get new ids, the parent id recorded, area re-split."""
        out = []
        for g in parts:
            a = {k: v for k, v in parent.items() if k in schema.PATCH_FIELD_NAMES}
            a.update(patch_id=new_patch_id(), parent_ids=parent.get("patch_id"), created_at=now_iso(),
                     updated_at=now_iso(), revision=1, server_version=None)
            a.update(self.geometry_attributes(g, _strip_crossing(parent.get("remark"))))
            out.append(a)
        return out

    def merge(self, patches: Sequence[Dict[str, Any]], geom: QgsGeometry) -> Dict[str, Any]:
        """Attributes of the union of `patches` (refused by check_merge); both parents recorded."""
        check_merge(patches)
        # The largest patch gives the descriptive attributes (method, species...).
        main = max(patches, key=lambda p: float(p.get("area_mu") or 0))
        a = {k: v for k, v in main.items() if k in schema.PATCH_FIELD_NAMES}
        a.update(patch_id=new_patch_id(), parent_ids=",".join(str(p["patch_id"]) for p in patches),
                 created_at=now_iso(), updated_at=now_iso(), revision=1, server_version=None)
        a.update(self.geometry_attributes(geom, _strip_crossing(main.get("remark"))))
        return a


def touched(committed_revision: Optional[int]) -> Dict[str, Any]:
    """updated_at = now and revision = committed revision + 1 (one step per saved change)."""
    return {"updated_at": now_iso(), "revision": int(committed_revision or 0) + 1}


def _strip_crossing(remark: Optional[str]) -> Optional[str]:
    if not remark:
        return remark
    text = str(remark).replace(CROSSING_REMARK, "").strip()
    return text or None


def with_crossing_remark(remark: Optional[str], crossing: bool) -> Optional[str]:
    """`remark` with the boundary-crossing marker added or removed."""
    text = _strip_crossing(remark)
    if crossing:
        return f"{CROSSING_REMARK} {text}" if text else CROSSING_REMARK
    return text


def check_merge(patches: Sequence[Dict[str, Any]]) -> None:
    """Raise MergeRefused unless at least two patches of one stage and one county are given."""
    if len(patches) < 2:
        raise MergeRefused(tr("Select at least two patches to merge."))
    stages = sorted({str(p.get("stage") or "") for p in patches})
    if len(stages) > 1:
        raise MergeRefused(tr("Cannot merge patches at different stages ({0}).").format(
            ", ".join(schema.stage_label(s) for s in stages)))
    counties = sorted({str(p.get("county_code") or "") for p in patches})
    if len(counties) > 1:
        raise MergeRefused(tr("Cannot merge patches in different counties ({0}).").format(", ".join(counties)))


def public(attrs: Dict[str, Any]) -> Dict[str, Any]:
    """Drop the helper keys (starting with '_') from an attribute dict."""
    return {k: v for k, v in attrs.items() if not k.startswith("_")}


def union(geoms: Iterable[QgsGeometry]) -> QgsGeometry:
    """Dissolved union of polygons (holes kept), as a multipolygon."""
    gs = [g if g.isGeosValid() else g.makeValid() for g in geoms if g is not None and not g.isEmpty()]
    u = QgsGeometry.unaryUnion(gs)
    u.convertToMultiType()
    return u
