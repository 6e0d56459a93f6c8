"""What a check run takes and gives: its inputs (plain arrays in one projected CRS), its findings and its result.

No geometry work and no I/O here: the readers (gpkg_io, layers, pg_source) fill CheckInputs, the checker
(checker.py) turns it into Findings, engine.check_working_copy returns a CheckRunResult.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from shapely.geometry.base import BaseGeometry

from ... import schema

ProgressFn = Optional[Callable[[float], None]]
CanceledFn = Optional[Callable[[], bool]]


class CheckCanceled(Exception):
    """The run was canceled through is_canceled()."""


@dataclass
class Finding:
    """One problem found on one patch (patch_id "" for layer-level findings such as crs)."""

    patch_id: str
    rule: str
    severity: str
    message: str
    value: Optional[float] = None
    geometry: Optional[BaseGeometry] = None
    other_id: Optional[str] = None
    accepted: bool = False  # covered by an accepted exception (recorded, but not open)


@dataclass
class CheckInputs:
    """Everything a check run needs, as plain arrays in one projected CRS (`epsg`)."""

    patch_ids: Sequence[str]
    patch_geoms: Sequence[Optional[BaseGeometry]]
    patch_attrs: Sequence[Dict[str, Any]]
    epsg: Optional[int] = 4549  # CRS of every geometry below (projected; see projection.project_inputs for 4490)
    layer_epsg: Optional[int] = None  # the patch layer's own CRS for the crs rule (default: epsg)
    basemap_geoms: Sequence[BaseGeometry] = ()
    basemap_ids: Sequence[str] = ()
    basemap_classes: Sequence[str] = ()
    admin_geoms: Sequence[BaseGeometry] = ()
    admin_codes: Sequence[str] = ()
    admin_levels: Sequence[str] = ()
    farmland_geoms: Sequence[BaseGeometry] = ()
    farmland_ids: Sequence[str] = ()
    history_geoms: Sequence[BaseGeometry] = ()
    history_ids: Sequence[str] = ()
    history_labels: Sequence[str] = ()  # 图斑编号 of the earlier years' patches, named in messages (default: ids)
    missing_fields: Sequence[str] = ()  # schema patch fields the layer lacks
    check_ids: Optional[Iterable[str]] = None  # only these patches get findings (all others still overlap them)
    check_index: Optional[Sequence[int]] = None  # or only the patches at these positions (before check_ids)
    layer_findings: bool = True  # the layer-level findings (crs, missing fields); a tiled run's first tile only
    exceptions: Iterable[Tuple[str, str, Optional[str]]] = ()  # (patch_id, rule, other_id or None = any)
    layer_name: str = ""


@dataclass
class CheckRunResult:
    """What engine.check_working_copy did."""

    run_id: str
    findings: List[Finding]
    checked_ids: List[str]
    checked_at: str
    seconds: float
    timings: Dict[str, float] = field(default_factory=dict)

    @property
    def open_findings(self) -> List[Finding]:
        return [f for f in self.findings if not f.accepted]


def reference_inputs(basemap, admin, farmland, history) -> Dict[str, Any]:
    """The reference part of a check run's inputs (CheckInputs keywords) from (attribute rows, geometries) of the
    base map, admin units, farmland and earlier years' patches, wherever they were read (the working copy:
    gpkg_io.read_check_inputs, or PostGIS: pg_source). admin None: without the admin_* keywords (the windowed
    readers of a tiled run, which read the admin units whole, once)."""
    (b_attrs, b_geoms), (f_attrs, f_geoms), (h_attrs, h_geoms) = basemap, farmland, history
    out = {} if admin is None else dict(admin_geoms=admin[1], admin_codes=[a.get("code") for a in admin[0]],
                                        admin_levels=[a.get("level") for a in admin[0]])
    return dict(
        out, basemap_geoms=b_geoms, basemap_ids=[a.get("BSM") or "" for a in b_attrs],
        basemap_classes=[a.get(schema.LANDCLASS_FIELD) for a in b_attrs],
        farmland_geoms=f_geoms, farmland_ids=[a.get("jbnt_id") or "JBNT fid {}".format(a.get("fid")) for a in f_attrs],
        history_geoms=h_geoms, history_ids=[a.get("patch_id") or "fid {}".format(a.get("fid")) for a in h_attrs],
        history_labels=[a.get("tuban_no") or "" for a in h_attrs])


# -- attribute values as numbers (attributes come as the layer stores them: text, numbers, None) ----------------

def to_int(v: Any) -> Optional[int]:
    """An attribute value as an int; None where missing or not a number."""
    try:
        return None if v is None or v == "" else int(v)
    except (TypeError, ValueError):
        return None


def to_float(v: Any) -> Optional[float]:
    """An attribute value as a float; None where missing or not a number."""
    try:
        return None if v is None or v == "" else float(v)
    except (TypeError, ValueError):
        return None
