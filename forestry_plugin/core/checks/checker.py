"""The rule checker: every enabled rule of rules.py (docs/checks.md) over a run's inputs, vectorized.

run_checks prepares a run (reprojection, the reference index, the patches) and hands it to Checker, which has one
method per rule or group of rules (invalid geometry and minimum area inline in check(), then _slivers,
_patch_overlaps, _basemap for cropland / built-up land and water / existing forest, _overlap_layer for basic
farmland and earlier years' patches, _admin, _area_mismatch, _attributes; the crs and missing-field findings are
layer-level, in run_checks). Geometries are repaired before any overlay, STRtree bulk queries and bulk
intersection/area give per-pair overlaps; areas are ellipsoidal (projection.AreaModel).
"""

from __future__ import annotations

import math
import re
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ... import schema
from ...i18n import tr, ui_language
from . import rules as R
from .geometry import geos_reason, polygonal
from .index import PatchSet, ReferenceData, ReferenceLayer, patch_years
from .model import CanceledFn, CheckCanceled, CheckInputs, Finding, ProgressFn, to_float
from .parallel import query_intersecting, safe_intersection
from .profile import RuleProfile
from .projection import AreaModel, project_inputs


class Stepper:
    """Progress/cancel helper; sub(a, b) maps 0..1 of a stage onto a..b."""

    def __init__(self, progress: ProgressFn = None, is_canceled: CanceledFn = None, a: float = 0.0, b: float = 1.0):
        self.progress, self.is_canceled, self.a, self.b = progress, is_canceled, a, b

    def __call__(self, fraction: float) -> None:
        if self.is_canceled is not None and self.is_canceled():
            raise CheckCanceled(tr("The check was canceled"))
        if self.progress is not None:
            self.progress(self.a + (self.b - self.a) * min(max(fraction, 0.0), 1.0))

    def sub(self, a: float, b: float) -> Stepper:
        return Stepper(self.progress, self.is_canceled, self.a + (self.b - self.a) * a, self.a + (self.b - self.a) * b)


def _level_label(level: str) -> str:
    return schema.ADMIN_LEVELS.label(level, ui_language())


def _list_label(code_list: Any, lang: str) -> str:
    return code_list.zh if lang.startswith("zh") else code_list.en


def run_checks(inputs: CheckInputs, profile: Optional[RuleProfile] = None, progress: ProgressFn = None,
               is_canceled: CanceledFn = None) -> List[Finding]:
    """Run every enabled rule over `inputs`; findings covered by inputs.exceptions are marked accepted.

    A profile with invalid settings (changed behind RuleProfile.set) raises ProfileError rather than silently
    switching rules off."""
    profile = (profile or RuleProfile.default()).validate()
    inputs = project_inputs(inputs)
    step = Stepper(progress, is_canceled)
    findings: List[Finding] = []
    layer_epsg = inputs.layer_epsg if inputs.layer_epsg is not None else inputs.epsg
    if inputs.layer_findings and profile.enabled(R.CRS) and (layer_epsg is None or int(layer_epsg) not in schema.CGCS2000_EPSG_CODES):
        findings.append(Finding("", R.CRS, profile.severity(R.CRS), tr(
            "Layer {0} is in {1}, not CGCS2000 (EPSG:4490 or a CGCS2000 Gauss-Kruger zone); it was reprojected "
            "for the checks").format(inputs.layer_name, f"EPSG:{layer_epsg}" if layer_epsg else tr("an unknown CRS"))))
    if inputs.layer_findings and inputs.missing_fields and profile.enabled(R.ATTRIBUTE):
        findings.append(Finding("", R.ATTRIBUTE, profile.severity(R.ATTRIBUTE), tr(
            "The layer lacks fields: {0}; rules that need them were skipped").format(", ".join(inputs.missing_fields))))
    step(0.02)
    ref = ReferenceData(inputs)
    step(0.15)
    patches = PatchSet(inputs.patch_ids, inputs.patch_geoms, [a.get("year") for a in inputs.patch_attrs],
                       [a.get("tuban_no") for a in inputs.patch_attrs])
    step(0.25)
    if inputs.check_index is not None:
        sel = np.asarray(sorted(set(int(i) for i in inputs.check_index)), dtype=int)
    elif inputs.check_ids is None:
        sel = np.arange(len(patches.ids))
    else:
        wanted = set(inputs.check_ids)
        sel = np.asarray([i for i, p in enumerate(patches.ids) if p in wanted], dtype=int)
    if inputs.epsg is None:
        raise ValueError("CheckInputs.epsg is required")
    checker = Checker(ref, profile, AreaModel(inputs.epsg), set(inputs.missing_fields))
    findings += checker.check(patches, sel, list(inputs.patch_attrs), step.sub(0.25, 0.98))
    mark_exceptions(findings, inputs.exceptions)
    step(1.0)
    return findings


def mark_exceptions(findings: List[Finding], exceptions: Iterable[Tuple[str, str, Optional[str]]]) -> None:
    """Mark the findings an accepted exception (patch_id, rule, other_id or None = any) covers as accepted."""
    exc = {(p, r, (o or None)) for p, r, o in exceptions}
    if not exc:
        return
    for f in findings:
        if (f.patch_id, f.rule, None) in exc or (f.other_id and (f.patch_id, f.rule, f.other_id) in exc):
            f.accepted = True


_ADMIN_FIELDS = (("county", "county_code"), ("township", "township_code"), ("village", "village_code"))


def sliver_candidates(geoms: np.ndarray, area: np.ndarray, perimeter: np.ndarray, width: float) -> np.ndarray:
    """Mask of the polygons whose negative buffer by width/2 can be empty (the only ones worth buffering).

    A polygon narrower than 2r everywhere (inradius <= r) has area <= r * perimeter + pi * r² * holes: its inner
    parallel sets shrink by at most their perimeter, which never grows beyond the outline's except by 2*pi*t per
    hole. A multipolygon is narrow only if every part is, so the same bound holds for the sums. r is taken 5 %
    above width/2 so that GEOS's buffer approximations never put a narrow patch outside; anything wider than this
    bound keeps a non-empty core and is not a sliver by width (the thinness test still applies)."""
    r = 0.525 * width
    holes = np.zeros(len(geoms))
    parts, index = shapely.get_parts(geoms, return_index=True)
    if len(parts):
        holes = np.bincount(index, weights=shapely.get_num_interior_rings(parts), minlength=len(geoms))
    return area <= r * perimeter + math.pi * r * r * holes


class Checker:
    """Applies the per-patch rules of a profile against prepared reference data."""

    def __init__(self, ref: ReferenceData, profile: RuleProfile, area_model: AreaModel, missing_fields: Set[str]):
        self.ref, self.p, self.am, self.missing = ref, profile, area_model, missing_fields

    def _f(self, out: List[Finding], pid: str, rule: str, message: str, value: Optional[float] = None,
           geometry: Optional[BaseGeometry] = None, other_id: Optional[str] = None, severity: Optional[str] = None) -> None:
        out.append(Finding(pid, rule, severity or self.p.severity(rule), message,
                           None if value is None else float(value), geometry, other_id))

    def check(self, ps: PatchSet, sel: np.ndarray, attrs: List[Dict[str, Any]], step: Optional[Stepper] = None,
              targets: Optional[Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Dict[int, str]]] = None,
              more_patches: Optional[PatchSet] = None) -> List[Finding]:
        """Findings of patches `sel` of `ps` (or of separate `targets` = (ids, repaired, null, bad, reasons) as
        geometry.repair_all gives them, checked against all of `ps` and of `more_patches`: the live check, whose
        patches saved since it read them are in a small set of their own)."""
        step = step or Stepper()
        out: List[Finding] = []
        p = self.p
        if targets is None:
            ids, geoms, null, bad = ps.ids[sel], ps.geoms[sel], ps.null[sel], ps.bad[sel]
            reasons = {k: ps.reasons[int(i)] for k, i in enumerate(sel) if int(i) in ps.reasons}
            raw = ps.raw[sel]
            tattrs = [attrs[int(i)] for i in sel]
            self_index = np.asarray(sel, dtype=int)
        else:
            ids, geoms, null, bad, reasons = targets
            raw = geoms
            tattrs = attrs
            self_index = None
        n = len(ids)
        if n == 0:
            return out
        area = self.am.areas(np.where(null, None, geoms))
        step(0.05)
        # invalid_geometry: first, with the reason; the repaired geometry is what every overlay below uses.
        if p.enabled(R.INVALID_GEOMETRY):
            for k in np.flatnonzero(null):
                self._f(out, ids[k], R.INVALID_GEOMETRY, tr("The patch has no (polygonal) geometry"))
            for k in np.flatnonzero(bad & ~null):
                self._f(out, ids[k], R.INVALID_GEOMETRY, tr("Invalid geometry: {0}; repaired for the checks "
                                                            "(repaired area {1:.2f} m²)").format(geos_reason(reasons.get(k, "")), area[k]),
                        area[k], geoms[k])
            for k in np.flatnonzero(bad & null & ~shapely.is_missing(raw)):
                self._f(out, ids[k], R.INVALID_GEOMETRY, tr("Invalid geometry: {0}; nothing polygonal is left after "
                                                            "repair").format(geos_reason(reasons.get(k, ""))))
        live = np.flatnonzero(~null)
        if p.enabled(R.MIN_AREA):
            err, warn = p.threshold(R.MIN_AREA, "error_m2"), p.threshold(R.MIN_AREA, "warning_m2")
            for k in live:
                a = area[k]
                if a < err:
                    self._f(out, ids[k], R.MIN_AREA, tr("Area {0:.2f} m² is below the minimum of {1:.2f} m²").format(a, err),
                            a, geoms[k])
                elif a < warn:
                    self._f(out, ids[k], R.MIN_AREA, tr("Area {0:.2f} m² is below {1:.2f} m² (1 mu)").format(a, warn),
                            a, geoms[k], severity=R.WARNING)
        step(0.1)
        if p.enabled(R.SLIVER) and len(live):
            self._slivers(out, ids, geoms, live)
        step(0.15)
        if p.enabled(R.PATCH_OVERLAP) and ps is not None and ps.tree is not None and len(live):
            self._patch_overlaps(out, ps, ids, geoms, live, self_index, tattrs)
        if p.enabled(R.PATCH_OVERLAP) and more_patches is not None and more_patches.tree is not None and len(live):
            self._patch_overlaps(out, more_patches, ids, geoms, live, None, tattrs)
        step(0.45)
        if len(live) and len(self.ref.base):
            self._basemap(out, ids, geoms, live, tattrs)
        step(0.65)
        if len(live) and p.enabled(R.BASIC_FARMLAND) and len(self.ref.farmland):
            self._overlap_layer(out, ids, geoms, live, self.ref.farmland, R.BASIC_FARMLAND,
                                tr("Overlaps permanent basic farmland {0} by {1:.2f} m²"))
        if len(live) and p.enabled(R.HISTORY_OVERLAP) and len(self.ref.history):
            self._overlap_layer(out, ids, geoms, live, self.ref.history, R.HISTORY_OVERLAP,
                                tr("Overlaps earlier years' counted patch {0} by {1:.2f} m²"), skip_same_id=True)
        step(0.8)
        if p.enabled(R.OUTSIDE_ADMIN):
            self._admin(out, ids, geoms, live, tattrs)
        step(0.9)
        if p.enabled(R.AREA_MISMATCH):
            self._area_mismatch(out, ids, geoms, area, live, tattrs)
        if p.enabled(R.ATTRIBUTE):
            self._attributes(out, ids, geoms, tattrs)
        step(1.0)
        return out

    # -- geometry rules -----------------------------------------------------------------

    def _slivers(self, out: List[Finding], ids, geoms, live) -> None:
        width = self.p.threshold(R.SLIVER, "min_width_m")
        thin_max = self.p.threshold(R.SLIVER, "max_thinness")
        g = geoms[live]
        a = shapely.area(g)
        per = shapely.length(g)
        thin = 4 * math.pi * a / np.maximum(per, 1e-9) ** 2
        # Only shapes that are not compact can be narrower than `width` everywhere: buffer those.
        cand = np.flatnonzero((thin < 0.5) | (a < width * width * 4))
        if len(cand) and width > 0:
            cand = cand[sliver_candidates(g[cand], a[cand], per[cand], width)]
        narrow = np.zeros(len(live), dtype=bool)
        if len(cand) and width > 0:
            narrow[cand] = shapely.is_empty(shapely.buffer(g[cand], -width / 2.0, quad_segs=2))
        for j in np.flatnonzero(narrow | (thin < thin_max)):
            k = live[j]
            mean_w = 2 * a[j] / per[j] if per[j] else 0.0
            if narrow[j]:
                msg = tr("Sliver: narrower than {0:.1f} m everywhere (mean width {1:.2f} m, thinness {2:.3f})").format(
                    width, mean_w, thin[j])
            else:
                msg = tr("Sliver: thinness {0:.3f} below {1:.3f} (mean width {2:.2f} m)").format(thin[j], thin_max, mean_w)
            self._f(out, ids[k], R.SLIVER, msg, mean_w, geoms[k])

    def _patch_overlaps(self, out: List[Finding], ps: PatchSet, ids, geoms, live, self_index, tattrs) -> None:
        tol = self.p.threshold(R.PATCH_OVERLAP, "tolerance_m2")
        qi, oi = query_intersecting(ps.tree, geoms[live])
        qk = live[qi]  # index into targets
        if self_index is not None:
            me = self_index[qk]
            keep = oi != me
            in_sel = np.zeros(len(ps.ids), dtype=bool)
            in_sel[self_index] = True
            # Each pair of two checked patches once (the lower index computes it for both).
            keep &= ~(in_sel[oi] & (oi < me))
        else:
            keep = ps.ids[oi] != ids[qk]
        ty, oy = patch_years([a.get("year") for a in tattrs])[qk], ps.years[oi]
        keep &= np.isnan(ty) | np.isnan(oy) | (ty == oy)
        qk, oi = qk[keep], oi[keep]
        if not len(qk):
            return
        inter = safe_intersection(geoms[qk], ps.geoms[oi])
        areas = self.am.areas(inter)
        pos = {int(i): k for k, i in enumerate(self_index)} if self_index is not None else {}
        for k, o, g, a in zip(qk, oi, inter, areas):
            if a <= tol:
                continue
            g = polygonal(g)
            msg = tr("Overlaps patch {0} of the same year by {1:.2f} m²")
            self._f(out, ids[k], R.PATCH_OVERLAP, msg.format(ps.labels[o], a), a, g, ps.ids[o])
            if int(o) in pos:  # the other patch is checked too: its side of the pair
                self._f(out, ps.ids[o], R.PATCH_OVERLAP, msg.format(ps.labels[self_index[k]], a), a, g, ids[k])

    def _pairs(self, geoms, live, layer: ReferenceLayer, mask: Optional[np.ndarray] = None):
        qi, ri = query_intersecting(layer.tree, geoms[live])
        if mask is not None:
            m = mask[ri]
            qi, ri = qi[m], ri[m]
        if not len(qi):
            return qi, ri, np.zeros(0, dtype=object), np.zeros(0)
        k = live[qi]
        inter = safe_intersection(geoms[k], layer.geoms[ri])
        return k, ri, inter, self.am.areas(inter)

    def _emit(self, out: List[Finding], rule: str, severity: str, pids: List[str], msgs: List[str],
              values: np.ndarray, geoms: np.ndarray, others: List[Optional[str]]) -> None:
        """Append findings in bulk (the polygonal part of each geometry)."""
        types = shapely.get_type_id(geoms) if len(geoms) else np.zeros(0, dtype=int)
        for pid, msg, v, g, t, o in zip(pids, msgs, values.tolist(), geoms, types.tolist(), others):
            out.append(Finding(pid, rule, severity, msg, v, g if t in (3, 6) else polygonal(g), o))

    def _overlap_layer(self, out, ids, geoms, live, layer: ReferenceLayer, rule: str, msg: str, skip_same_id: bool = False) -> None:
        tol = self.p.threshold(rule, "tolerance_m2")
        k, ri, inter, areas = self._pairs(geoms, live, layer)
        hit = areas > tol
        if skip_same_id and len(k):
            hit &= layer.ids[ri] != ids[k]
        j = np.flatnonzero(hit)
        other = layer.ids[ri[j]].tolist()
        named = layer.cols["label"][ri[j]].tolist() if "label" in layer.cols else other
        self._emit(out, rule, self.p.severity(rule), ids[k[j]].tolist(),
                   [msg.format(o, a) for o, a in zip(named, areas[j].tolist())], areas[j], inter[j], other)

    def _basemap(self, out, ids, geoms, live, tattrs) -> None:
        p = self.p
        ref = self.ref
        on_crop, on_bw, on_forest = p.enabled(R.CROPLAND), p.enabled(R.BUILTUP_WATER), p.enabled(R.EXISTING_FOREST)
        if not (on_crop or on_bw or on_forest) or ref.base.tree is None:
            return
        approved = np.asarray([bool(str(a.get("approval_no") or "").strip()) for a in tattrs], dtype=bool)
        allowed = np.asarray([a.get("method") in schema.METHODS_ALLOWED_ON_FOREST for a in tattrs], dtype=bool)
        qi, ri = query_intersecting(ref.base.tree, geoms[live])
        k = live[qi]
        # Only pairs that can become a finding are intersected (approved cropland, allowed forest methods are not).
        crop = ref.crop[ri] & on_crop & ~approved[k]
        bw = ref.builtup_water[ri] & on_bw
        forest = ref.forest[ri] & on_forest & ~allowed[k]
        need = crop | bw | forest
        k, ri, crop, bw = k[need], ri[need], crop[need], bw[need]
        if not len(k):
            return
        inter = safe_intersection(geoms[k], ref.base.geoms[ri])
        areas = self.am.areas(inter)
        tols = [p.threshold(r, "tolerance_m2") for r in (R.CROPLAND, R.BUILTUP_WATER, R.EXISTING_FOREST)]
        kind = np.where(crop, 0, np.where(bw, 1, 2))
        hit = areas > np.asarray(tols)[kind]
        templates = [tr("On cropland {0} (base-map parcel {1}) by {2:.2f} m² without an approval number"),
                     tr("On built-up land or water {0} (base-map parcel {1}) by {2:.2f} m²"),
                     tr("On existing forest land {0} (base-map parcel {1}) by {2:.2f} m², but the method is not "
                        "regeneration or restoration")]
        cls = ref.base.cols["cls"]
        for code, rule, t in zip(range(3), (R.CROPLAND, R.BUILTUP_WATER, R.EXISTING_FOREST), templates):
            j = np.flatnonzero(hit & (kind == code))
            if not len(j):
                continue
            c = cls[ri[j]].tolist()
            labels = {x: f"{x} {schema.LAND_CLASSES.label(x, ui_language())}" for x in set(c)}
            bsm = ref.base.ids[ri[j]].tolist()
            msgs = [t.format(labels[x], b, a) for x, b, a in zip(c, bsm, areas[j].tolist())]
            self._emit(out, rule, p.severity(rule), ids[k[j]].tolist(), msgs, areas[j], inter[j], bsm)

    def _admin(self, out, ids, geoms, live, tattrs) -> None:
        min_share = self.p.threshold(R.OUTSIDE_ADMIN, "min_share")
        ref = self.ref
        flagged: Set[int] = set()
        # Codes that contradict each other (village not in its township, township not in its county).
        for k, at in enumerate(tattrs):
            c, t, v = (str(at.get(f) or "").strip() for f in ("county_code", "township_code", "village_code"))
            if (t and c and not t.startswith(c)) or (v and t and not v.startswith(t)):
                self._f(out, ids[k], R.OUTSIDE_ADMIN, tr("Administrative codes disagree: county {0}, township {1}, "
                                                         "village {2}").format(c, t, v), None,
                        geoms[k] if k in set(live) else None)
                flagged.add(k)
        if not len(ref.admin) or not len(live):
            return
        for level, fname in _ADMIN_FIELDS:
            if level not in ref.admin_levels or fname in self.missing:
                continue
            ks, us = [], []
            for k in live:
                code = str(tattrs[k].get(fname) or "").strip()
                if not code:
                    continue  # a missing code is an attribute finding
                u = ref.admin_index.get((level, code))
                if u is None:
                    self._f(out, ids[k], R.OUTSIDE_ADMIN, tr("Declared {0} code {1} is not in the administrative "
                                                             "units").format(_level_label(level), code), None, geoms[k], code)
                    continue
                ks.append(k)
                us.append(u)
            if not ks:
                continue
            ks_a, us_a = np.asarray(ks), np.asarray(us)
            inside = shapely.covers(ref.admin.geoms[us_a], geoms[ks_a])
            rest = np.flatnonzero(~inside)
            if not len(rest):
                continue
            inter = safe_intersection(geoms[ks_a[rest]], ref.admin.geoms[us_a[rest]])
            share = shapely.area(inter) / np.maximum(shapely.area(geoms[ks_a[rest]]), 1e-12)
            for j in np.flatnonzero(share < min_share):
                k, u = ks_a[rest[j]], us_a[rest[j]]
                outside = polygonal(shapely.difference(geoms[k], ref.admin.geoms[u]))
                self._f(out, ids[k], R.OUTSIDE_ADMIN, tr("Only {0:.1f} % of the patch lies in its declared {1} {2} "
                                                         "(at least {3:.1f} % required)").format(
                    share[j] * 100, _level_label(level), ref.admin.ids[u], min_share * 100), share[j] * 100, outside,
                    ref.admin.ids[u])

    def _area_mismatch(self, out, ids, geoms, area, live, tattrs) -> None:
        tol_mu = self.p.threshold(R.AREA_MISMATCH, "tolerance_mu")
        tol_rel = self.p.threshold(R.AREA_MISMATCH, "tolerance_rel")
        for k in live:
            at = tattrs[k]
            mu_calc = schema.m2_to_mu(area[k])
            m = R.area_mismatch(to_float(at.get("area_mu")), to_float(at.get("area_ha")), mu_calc, tol_mu, tol_rel)
            if m is not None:  # the one rule the workflow's area precondition uses too
                self._f(out, ids[k], R.AREA_MISMATCH, tr(
                    "{0} = {1} but the mapped area is {2:.2f} mu ({3:.4f} ha); difference {4:+.2f} mu exceeds "
                    "{5:.2f} mu").format(schema.PATCH_FIELD[m.field].label(ui_language()), m.declared, mu_calc,
                                         schema.m2_to_ha(area[k]), m.difference_mu, m.tolerance_mu),
                    m.difference_mu, geoms[k])

    def _attributes(self, out, ids, geoms, tattrs) -> None:
        # Precompiled per-field checks (code sets, patterns, ranges): this loop runs for every patch.
        specs = []
        for f in schema.PATCH_FIELDS:
            if f.name in self.missing:
                continue
            codes = frozenset(schema.CODE_LISTS[f.code_list].values()) if f.code_list else None
            specs.append((f, f.name, codes, re.compile(f.pattern) if f.pattern else None,
                          f.type in (schema.REAL, schema.INTEGER)))
        required = {st: frozenset(f.name for f in schema.PATCH_FIELDS if f.is_required_at(st)) for st in schema.STAGE_ORDER}
        t_missing = tr("{0} ({1}) is missing")
        t_code = tr("{0} ({1}) = '{2}' is not a code of {3}")
        t_format = tr("{0} ({1}) = '{2}' has the wrong format")
        t_nan = tr("{0} ({1}) = '{2}' is not a number")
        t_range = tr("{0} ({1}) = {2} is out of range")
        t_restore = tr("Restoration method (restore_method) is required for restoration")
        check_restore = "restore_method" not in self.missing
        lang = ui_language()  # field and list names in messages: the user's language, like the rest of the text
        for k, at in enumerate(tattrs):
            stage = at.get("stage")
            req = required.get(stage) or required["design"]
            problems = []
            for f, name, codes, pattern, numeric in specs:
                v = at.get(name)
                if v is None or (isinstance(v, str) and not v.strip()):
                    if name in req:
                        problems.append(t_missing.format(f.label(lang), name))
                    continue
                if codes is not None:
                    if str(v) not in codes:
                        problems.append(t_code.format(f.label(lang), name, v, _list_label(schema.CODE_LISTS[f.code_list], lang)))
                elif pattern is not None:
                    if not pattern.match(str(v)):
                        problems.append(t_format.format(f.label(lang), name, v))
                elif numeric:
                    x = to_float(v)
                    if x is None:
                        problems.append(t_nan.format(f.label(lang), name, v))
                    elif (f.min_value is not None and x < f.min_value) or (f.max_value is not None and x > f.max_value):
                        problems.append(t_range.format(f.label(lang), name, v))
            if check_restore and at.get("method") == "restoration" and not at.get("restore_method"):
                problems.append(t_restore)
            if problems:
                self._f(out, ids[k], R.ATTRIBUTE, "; ".join(problems), float(len(problems)), geoms[k])
