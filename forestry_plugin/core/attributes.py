"""Automatic patch attributes (no GUI): ids, admin codes, previous land class, area, revision, split/merge lineage.

The GUI tools and the importer call these with plain geometries and attribute dicts; they never touch a file.
"""

from __future__ import annotations

import datetime as _dt
import re
import string
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

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
from ..settings import WorkingCopyKey
from . import clock
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


# -- 图斑编号 (tuban_no) ---------------------------------------------------------------------------------------
# The scheme new patch numbers follow, a Python format string stored as the working-copy setting NUMBER_SCHEME_KEY.
# Fields: {year} (造林年度), {county} (6-digit county code), {township} (9-digit township code), {village}
# (12-digit village code) and {seq} (the running number; a width such as {seq:04d} pads it). The default gives
# year + township code + a 4-digit sequence, e.g. 2025 + 339901101 + 0007 = "20253399011010007": unique in the
# county because the township code is part of it, and sorted by year and township when listed.
NUMBER_SCHEME_KEY = WorkingCopyKey.TUBAN_NO_SCHEME
DEFAULT_NUMBER_SCHEME = "{year}{township}{seq:04d}"
NUMBER_FIELDS = ("year", "county", "township", "village", "seq")
_SPLIT_SUFFIX = re.compile(r"(-\d+)+$")


def valid_number_scheme(scheme: Optional[str]) -> bool:
    """True when `scheme` is a format string using only NUMBER_FIELDS and containing {seq} exactly once."""
    if not scheme or not isinstance(scheme, str):
        return False
    try:
        parts = list(string.Formatter().parse(scheme))
    except ValueError:
        return False
    names = [p[1] for p in parts if p[1] is not None]
    if names.count("seq") != 1 or any(n not in NUMBER_FIELDS for n in names):
        return False
    try:
        scheme.format(year=2025, county="339901", township="339901101", village="339901101001", seq=1)
    except (ValueError, KeyError, IndexError):
        return False
    return True


def number_scheme(path: Optional[str]) -> str:
    """The working copy's numbering scheme (setting NUMBER_SCHEME_KEY), DEFAULT_NUMBER_SCHEME if unset or invalid."""
    if path:
        from .geopackage import get_setting

        try:
            scheme = get_setting(path, NUMBER_SCHEME_KEY)
        except Exception:  # noqa: BLE001 - an older or foreign GeoPackage: the default scheme
            scheme = None
        if valid_number_scheme(scheme):
            return scheme
    return DEFAULT_NUMBER_SCHEME


def set_number_scheme(path: str, scheme: str) -> None:
    """Store the numbering scheme of a working copy; ValueError if it is not a valid scheme."""
    from .geopackage import set_setting

    if not valid_number_scheme(scheme):
        raise ValueError(tr("Invalid patch number scheme {0}: use {{year}}, {{county}}, {{township}}, {{village}} and "
                            "exactly one {{seq}}").format(scheme))
    set_setting(path, NUMBER_SCHEME_KEY, scheme)


def base_number(number: str) -> str:
    """A patch number without its split suffixes ("…0007-1-2" -> "…0007")."""
    return _SPLIT_SUFFIX.sub("", str(number or ""))


class PatchNumberer:
    """Hands out 图斑编号 by a scheme: the next sequence after the highest one in use for the same year and unit.

    `taken` holds every number in use (saved ones and those handed out in this session), so numbers stay unique in
    the working copy (= the county) even when the scheme has no unit code in it.
    """

    def __init__(self, scheme: str = DEFAULT_NUMBER_SCHEME, existing: Iterable[str] = (),
                 county_code: Optional[str] = None, load: Optional[Callable[[], Iterable[str]]] = None):
        self.scheme = scheme if valid_number_scheme(scheme) else DEFAULT_NUMBER_SCHEME
        self.county_code = county_code
        self._taken: set = set()
        # `load`: the numbers already in use, read when a number is first needed rather than when editing starts
        # (a city's 250 000 numbers take a moment to read; opening the layer for editing should not wait for it)
        self._load = load
        self._patterns: Dict[Tuple[str, str], re.Pattern] = {}
        # the highest sequence in use per pattern (a unit and year): worked out from `taken` once, then kept up
        # by observe/release, so a new number costs the same in a county of 250 000 patches as in one of 10
        self._highest: Dict[Tuple[str, str], int] = {}
        # `taken` by their first L characters, for each prefix length L a pattern was asked for (one pass each)
        self._heads: Dict[int, Dict[str, set]] = {}
        self._by_prefix: Dict[int, Dict[str, set]] = {}  # the keys of _highest by prefix length and prefix
        self._taken.update(str(n) for n in existing if n not in (None, ""))  # in bulk: a city's 250 000 numbers

    @property
    def taken(self) -> set:
        """Every number in use: the working copy's (read on first use) and those handed out or seen here."""
        if self._load is not None:
            load, self._load = self._load, None
            try:
                self._taken.update(str(n) for n in load() if n not in (None, ""))
            except BaseException:
                self._load = load  # read again next time: numbering without them could hand out a number twice
                raise
        return self._taken

    @classmethod
    def from_working_copy(cls, path: str) -> PatchNumberer:
        """A numberer with the scheme and the patch numbers of a working copy (plain sqlite3 reads; the numbers
        when the first one is needed)."""
        import sqlite3

        from .geopackage import get_settings

        county = None
        try:
            with connect(path) as con:
                county = get_settings(con).get("county_code")
        except sqlite3.OperationalError as e:
            if "no such" not in str(e):  # locked or unreadable now: numbers without the county's code would be
                raise  # placeholders

        def load() -> List[str]:
            try:
                with connect(path) as con:  # through the 图斑编号 index where the copy has it
                    return [r[0] for r in con.execute(
                        f"SELECT tuban_no FROM {schema.PATCHES} WHERE tuban_no IS NOT NULL AND tuban_no <> ''")]
            except sqlite3.OperationalError as e:
                if "no such" not in str(e):  # locked or unreadable now: numbering without the file's numbers
                    raise  # could hand out a number twice
            except Exception:  # noqa: BLE001 - no patch table yet (an older or foreign GeoPackage): nothing taken
                pass
            return []

        return cls(number_scheme(path), (), county, load=load)

    def observe(self, number: Any) -> None:
        """Record a number as in use."""
        if number not in (None, ""):
            n = str(number)
            if n in self.taken:
                return
            self.taken.add(n)
            for length, heads in self._heads.items():
                heads.setdefault(n[:length], set()).add(n)
            for key in self._keys_of(n):  # the patterns whose prefix the number starts with, not every one
                m = self._patterns[key].match(n)
                if m and int(m.group(1)) > self._highest[key]:
                    self._highest[key] = int(m.group(1))

    def release(self, number: Any) -> None:
        """Forget a number (its patch is gone)."""
        n = str(number)
        if n not in self.taken:
            return
        self.taken.discard(n)
        for length, heads in self._heads.items():
            heads.get(n[:length], set()).discard(n)
        for key in [k for k in self._keys_of(n) if (m := self._patterns[k].match(n))
                    and int(m.group(1)) >= self._highest[k]]:
            del self._highest[key]  # it was the highest: worked out again when next asked
            self._by_prefix.get(len(key[0]), {}).get(key[0], set()).discard(key)

    def _keys_of(self, n: str) -> List[Tuple[str, str]]:
        """The (prefix, suffix) keys with a known highest sequence whose prefix `n` starts with."""
        return [k for length, prefixes in self._by_prefix.items() for k in prefixes.get(n[:length], ())]

    def _values(self, attrs: Dict[str, Any]) -> Dict[str, str]:
        year = attrs.get("year") or _dt.date.today().year
        village = str(attrs.get("village_code") or "")
        county = str(attrs.get("county_code") or self.county_code or "000000")
        township = str(attrs.get("township_code") or (village[:9] if village else "") or county.ljust(9, "0"))
        return {"year": str(year), "county": county, "township": township, "village": village or township.ljust(12, "0")}

    def _pattern(self, values: Dict[str, str]) -> Tuple[str, str, re.Pattern]:
        head, _sep, tail = self.scheme.partition("{seq")
        tail = tail.split("}", 1)[1]
        prefix, suffix = head.format(**values), tail.format(**values)
        key = (prefix, suffix)
        if key not in self._patterns:
            self._patterns[key] = re.compile("^" + re.escape(prefix) + r"(\d+)" + re.escape(suffix) + r"(-\d+)*$")
        return prefix, suffix, self._patterns[key]

    def next_number(self, attrs: Dict[str, Any]) -> str:
        """A new number for a patch with these attributes (year, admin codes), recorded as taken."""
        values = self._values(attrs)
        prefix, suffix, pat = self._pattern(values)
        key = (prefix, suffix)
        if key not in self._highest:
            taken = self.taken  # read first: a failed read leaves nothing half built
            heads = self._heads.get(len(prefix))
            if heads is None:
                heads = {}
                for n in taken:
                    heads.setdefault(n[:len(prefix)], set()).add(n)
                self._heads[len(prefix)] = heads
            self._highest[key] = max((int(m.group(1)) for m in map(pat.match, heads.get(prefix, ())) if m),
                                     default=0)
            self._by_prefix.setdefault(len(prefix), {}).setdefault(prefix, set()).add(key)
        seq = self._highest[key]
        while True:
            seq += 1
            number = self.scheme.format(seq=seq, **values)
            if number not in self.taken:
                self.observe(number)
                return number

    def split_numbers(self, base: str, count: int, reuse: Iterable[str] = ()) -> List[str]:
        """`count` numbers for the parts of a split patch numbered `base`: base itself, then base-1, base-2, …
        (skipping numbers in use, except those in `reuse`: the parts' own numbers)."""
        free = {str(n) for n in reuse}
        out = [base]
        k = 0
        while len(out) < count:
            k += 1
            candidate = f"{base}-{k}"
            if candidate in self.taken and candidate not in free:
                continue
            out.append(candidate)
        for n in out:
            self.observe(n)
        return out



def number_patches(path: str, only_missing: bool = True, scheme: Optional[str] = None,
                   stages: Optional[Sequence[str]] = None) -> int:
    """Give 图斑编号 to the patches of a working copy that have none (by fid; with `stages`, only patches at those
    stages); return how many were numbered.

    Each numbered patch counts as changed (revision + 1, updated_at now) so the number reaches the platform at the
    next sync. The checks dock calls it with stages=("design",) before a check run when design patches lack a
    number (later stages are the platform's); the layer must have no unsaved edits (reload it afterwards).
    """
    numberer = PatchNumberer.from_working_copy(path)
    if scheme:
        numberer.scheme = scheme if valid_number_scheme(scheme) else numberer.scheme
    with connect(path) as con:
        rows = con.execute(f"SELECT fid, year, county_code, township_code, village_code, tuban_no, revision, stage "
                           f"FROM {schema.PATCHES} ORDER BY fid").fetchall()
        todo = [r[:7] for r in rows if (not only_missing or r[5] in (None, "")) and (stages is None or r[7] in stages)]
        if not todo:
            return 0
        now = clock.now_utc_iso()  # written with SQL: UTC, as every stamp the plugin stores itself
        updates = []
        for fid, year, county, township, village, _no, revision in todo:
            number = numberer.next_number({"year": year, "county_code": county, "township_code": township,
                                           "village_code": village})
            updates.append((number, now, int(revision or 0) + 1, fid))
        con.executemany(f"UPDATE {schema.PATCHES} SET tuban_no = ?, updated_at = ?, revision = ? WHERE fid = ?",
                        updates)
    return len(updates)


def unnumbered_patches(path: str, stages: Optional[Sequence[str]] = None) -> int:
    """How many patches of a working copy (at `stages`, default all) have no 图斑编号."""
    with connect(path) as con:
        rows = con.execute(f"SELECT stage FROM {schema.PATCHES} WHERE tuban_no IS NULL OR tuban_no = ''").fetchall()
    return sum(1 for (stage,) in rows if stages is None or stage in stages)


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
    """The current time for the datetime fields this context hands to a layer's edit buffer (created_at,
    updated_at): core.clock.layer_now, local and zone-less, because QGIS 3.22 writes a layer's datetimes without
    their zone (a UTC stamp would come back as local time). Stamps written with SQL are UTC (clock.now_utc_iso)."""
    return clock.layer_now()


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


def postgis_reference_layers(path: str, roles: Sequence[str] = ("admin", "basemap"),
                             window: Optional[Tuple[float, float, float, float]] = None, epsg: Optional[int] = None,
                             admin_prefix: Optional[str] = None) -> Optional[Tuple[QgsVectorLayer, ...]]:
    """QGIS PostGIS layers of the reference `roles` (checks.pg_source.KINDS: admin, basemap, farmland, history), in
    that order, when the working copy's `reference_source` setting points at a database; None when its own tables
    are the reference. Each layer is named by its working-copy table (pg_source.KINDS). With `window` (a bounding
    box in the CRS `epsg`, the working copy's) the layers other than admin hold only the features whose bounding box
    meets it (a subset filter through the GiST index: a province's base map is never drawn or counted whole); with
    `admin_prefix` the admin layer holds only the units whose code starts with it (a county's).
    Raises pg_source.ReferenceSourceError (a ValueError) for a setting or a database that cannot be used. The
    password stays in QgsAuthManager (the layer's authcfg), never in the layer's source."""
    from qgis.core import QgsDataSourceUri

    from .checks import pg_source

    source = pg_source.configured(path)
    if source is None:
        return None
    if window is not None:
        epsg = pg_source.need_epsg(epsg)
    con = pg_source.connect(source)  # says at once when the database or a table cannot be reached
    try:
        with con.cursor() as cur:
            geom_cols = {role: pg_source.geometry_column(cur, source["schema"], source["tables"][role])
                         for role in roles}
    finally:
        con.close()
    layers = []
    for role in roles:
        gcol, srid = geom_cols[role]
        sql = ""
        if role == "admin" and admin_prefix:
            prefix = str(admin_prefix)
            sql = f"left(\"code\"::text, {len(prefix)}) = '{prefix.replace(chr(39), chr(39) * 2)}'"
        elif role != "admin" and window is not None:
            sql = pg_source.window_condition(gcol, srid, window, epsg)  # as the checks read a window
        uri = QgsDataSourceUri(source["dsn"])
        if source.get("authcfg"):
            uri.setAuthConfigId(source["authcfg"])
        uri.setDataSource(source["schema"], source["tables"][role], gcol, sql, "")  # key: the primary key
        uri.setUseEstimatedMetadata(True)  # no full-table extent scan of a province's base map on opening
        layer = QgsVectorLayer(uri.uri(False), pg_source.KINDS[role][0], "postgres")
        if not layer.isValid():
            raise pg_source.ReferenceSourceError(tr("QGIS cannot open the reference table {0}.{1}").format(
                source["schema"], source["tables"][role]))
        layers.append(layer)
    return tuple(layers)


def village_expression(admin_layer: QgsVectorLayer) -> str:
    """The villages of an admin layer as a QGIS expression: by its "level" where that names one, else by the code's
    length (12 digits), as the checks (index.ReferenceData) and pg_source.read_admin_units tell levels apart."""
    by_length = 'length(trim(to_string("code"))) = 12'
    if "level" not in admin_layer.fields().names():
        return by_length
    return f"CASE WHEN \"level\" IN ('county', 'township', 'village') THEN \"level\" = 'village' ELSE {by_length} END"


class PatchContext:
    """Reference data (admin units, base map) and area calculator for filling patch attributes."""

    def __init__(self, admin_layer: Optional[QgsVectorLayer], basemap_layer: Optional[QgsVectorLayer],
                 crs: QgsCoordinateReferenceSystem | str, year: Optional[int] = None,
                 numberer: Optional[PatchNumberer] = None):
        self.crs = QgsCoordinateReferenceSystem(crs) if isinstance(crs, str) else crs
        self.numbers = numberer if numberer is not None else PatchNumberer()
        self.calc = AreaCalculator(self.crs)
        self.year = year
        self._villages = _Index(admin_layer, self.crs, village_expression(admin_layer)) \
            if admin_layer is not None else None
        self._base = _Index(basemap_layer, self.crs) if basemap_layer is not None else None

    warning: Optional[str] = None  # set when the reference data could not be opened where the setting says

    @classmethod
    def from_working_copy(cls, path: str, crs: QgsCoordinateReferenceSystem | str | None = None) -> PatchContext:
        """Context from the admin_units and basemap tables of a working copy, or from the PostGIS tables its
        `reference_source` setting names (a city's or province's database: read around each patch through the
        GiST index, as the GeoPackage's R-tree is)."""
        warning = None
        try:
            layers = postgis_reference_layers(path)
        except ValueError as e:  # pg_source.ReferenceSourceError: the setting or the database cannot be used
            layers, warning = None, tr("Patch attributes come from the working copy's own tables: {0}").format(e)
        if layers is None:
            admin, base = cls._reference_layers(path)
        else:
            admin, base = layers
        if crs is None:
            crs = QgsVectorLayer(layer_uri(path, schema.PATCHES), schema.PATCHES, "ogr").crs()
            if not crs.isValid():
                crs = admin.crs()
        ctx = cls(admin if admin.isValid() else None, base if base.isValid() else None, crs, task_year(path),
                  PatchNumberer.from_working_copy(path))
        ctx.warning = warning
        return ctx

    @staticmethod
    def _reference_layers(path: str, tries: int = 4) -> Tuple[QgsVectorLayer, QgsVectorLayer]:
        """The admin units and base map of a working copy. A GeoPackage that another connection is writing at that
        moment (a task setting up tables) can fail to open for an instant; a layer that exists in the file but did
        not open is tried again shortly rather than leaving every new patch without admin codes."""
        import time

        from .geopackage import connect

        for attempt in range(tries):
            admin = QgsVectorLayer(layer_uri(path, schema.ADMIN), schema.ADMIN, "ogr")
            base = QgsVectorLayer(layer_uri(path, schema.BASEMAP), schema.BASEMAP, "ogr")
            if (admin.isValid() and base.isValid()) or attempt == tries - 1:
                return admin, base
            try:
                with connect(path) as con:
                    present = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
            except Exception:  # noqa: BLE001 - not a readable GeoPackage now: try again
                present = {schema.ADMIN, schema.BASEMAP}
            if not ({schema.ADMIN, schema.BASEMAP} & present) - {n for n, lyr in
                                                                   ((schema.ADMIN, admin), (schema.BASEMAP, base))
                                                                   if lyr.isValid()}:
                return admin, base  # what did not open is not in the file
            time.sleep(0.2 * (attempt + 1))
        return admin, base

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
        """Ellipsoidal (mu, ha), rounded as the schema says (schema.rounded_area)."""
        return schema.rounded_area(self.calc.area(geom))

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
        if schema.plain_value(a.get("tuban_no")) in (None, ""):
            a["tuban_no"] = self.numbers.next_number(a)
        else:
            self.numbers.observe(a["tuban_no"])  # a number typed or imported is kept as it is
        return a

    def changed_geometry(self, geom: QgsGeometry, attrs: Dict[str, Any], committed_revision: Optional[int]) -> \
            Dict[str, Any]:
        """Updates for a patch whose geometry changed: location attributes, area, updated_at, revision."""
        out = self.geometry_attributes(geom, attrs.get("remark"))
        out.update(touched(committed_revision))
        return out

    def split(self, parent: Dict[str, Any], parts: Sequence[QgsGeometry]) -> List[Dict[str, Any]]:
        """Attributes of the parts of a split patch: all get new ids, the parent id recorded, area re-split.

        图斑编号: the largest part keeps the parent's number, the others get "-1", "-2", … by decreasing area.
        """
        out = []
        for g in parts:
            a = {k: v for k, v in parent.items() if k in schema.PATCH_FIELD_NAMES}
            a.update(patch_id=new_patch_id(), parent_ids=parent.get("patch_id"), created_at=now_iso(),
                     updated_at=now_iso(), revision=1, server_version=None)
            a.update(self.geometry_attributes(g, _strip_crossing(parent.get("remark"))))
            out.append(a)
        if len(parts) > 1 or schema.plain_value(parent.get("tuban_no")) in (None, ""):
            for a, number in zip(out, self.split_numbers(parent, parts, [a.get("area_mu") for a in out])):
                a["tuban_no"] = number
        return out

    def split_numbers(self, parent: Dict[str, Any], parts: Sequence[Any], areas: Optional[Sequence[Any]] = None,
                      reuse: Iterable[str] = ()) -> List[str]:
        """图斑编号 of the parts of `parent` (in the order of `parts`): the largest part (by `areas`, else by
        geometry area) keeps the parent's number (a new one if it had none), the others get suffixes."""
        base = schema.plain_value(parent.get("tuban_no"))
        if base in (None, ""):
            base = self.numbers.next_number(parent)
        sizes = [float(a) if a not in (None, "") else -1.0 for a in (areas or [])]
        if len(sizes) != len(parts):
            sizes = [g.area() if hasattr(g, "area") else 0.0 for g in parts]
        order = sorted(range(len(parts)), key=lambda k: (-sizes[k], k))
        numbers = self.numbers.split_numbers(str(base), len(parts), reuse=set(reuse) | {str(base)})
        out = [""] * len(parts)
        for k, number in zip(order, numbers):
            out[k] = number
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
        # 图斑编号: the survivor's (the largest patch's); the first number among the others if it had none.
        numbers = [schema.plain_value(p.get("tuban_no")) for p in [main] + [p for p in patches if p is not main]]
        survivor = next((n for n in numbers if n not in (None, "")), None)
        a["tuban_no"] = survivor if survivor is not None else self.numbers.next_number(a)
        self.numbers.observe(a["tuban_no"])
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
