"""Findings a person can use at city scale: one per patch and rule, the pairs summed.

A patch overlapping twelve cropland parcels has twelve `cropland` pair findings; at city scale that is most of
800 000 rows. `aggregate` makes it one finding: the summed measure, the merged problem geometry, how many pairs
and which other features (their ids kept, the pairs themselves kept as the detail)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import shapely

from ...i18n import tr
from . import rules as R
from .model import Finding

# Rules whose findings are pairs (patch × another feature): the ones aggregated.
PAIR_RULES = frozenset({R.PATCH_OVERLAP, R.BASIC_FARMLAND, R.CROPLAND, R.BUILTUP_WATER, R.EXISTING_FOREST,
                        R.HISTORY_OVERLAP})
MAX_LISTED = 20  # other ids written out in full; the rest counted


@dataclass
class AggregatedFinding(Finding):
    """A Finding that may stand for several pairs: `pairs` of them, with `other_ids`."""

    pairs: int = 1
    other_ids: Tuple[str, ...] = ()

    @property
    def other_ids_text(self) -> str:
        """The other ids as a short list ("a, b, c (+12)")."""
        shown = ", ".join(self.other_ids[:MAX_LISTED])
        rest = len(self.other_ids) - MAX_LISTED
        return f"{shown} (+{rest})" if rest > 0 else shown


def single_finding(f: Finding) -> AggregatedFinding:
    """One finding as an AggregatedFinding of one pair."""
    return AggregatedFinding(f.patch_id, f.rule, f.severity, f.message, f.value, f.geometry, f.other_id, f.accepted,
                             pairs=1, other_ids=(f.other_id,) if f.other_id else ())


def aggregate(findings: Sequence[Finding]) -> List[AggregatedFinding]:
    """One finding per (patch, rule, accepted or not) for the pair rules, in the order of their first pair; other
    findings as they are. The geometry is the union of the pairs' geometries, and the value the area in conflict:
    the pairs' areas summed, less what they share (a patch over two earlier-year patches that overlap each other
    counts the shared part once). The pairs' values are ellipsoidal areas; the union's is taken in the same
    measure as the planar ratio union / sum of parts, the areal scale being constant across one patch's pairs.
    Pairs that share nothing (base-map parcels never overlap) keep their exact sum. Findings already aggregated
    (a tiled run's tiles, where patches sharing an id fell into two tiles) are merged the same way, their pairs
    and other ids summed. The unions run in bulk (GEOS, in threads), not one group at a time."""
    groups: Dict[Tuple[str, str, bool], List[int]] = {}
    order: List[Any] = []  # a finding's position, or the key of its group
    for i, f in enumerate(findings):
        if f.rule in PAIR_RULES and f.patch_id:
            key = (f.patch_id, f.rule, bool(f.accepted))
            members = groups.get(key)
            if members is None:
                groups[key] = [i]
                order.append(key)
            else:
                members.append(i)
        else:
            order.append(i)
    multi = {key: members for key, members in groups.items() if len(members) > 1}
    merged = _merge(findings, multi)
    template = tr("{0}: {1} overlaps, {2} in all")
    labels: Dict[str, str] = {}
    out: List[AggregatedFinding] = []
    for entry in order:
        if not isinstance(entry, tuple):
            out.append(_as_aggregated(findings[entry]))
            continue
        members = groups[entry]
        if len(members) == 1:
            out.append(_as_aggregated(findings[members[0]]))
            continue
        geometry, total = merged[entry]
        ids = tuple(dict.fromkeys(i for k in members for i in _other_ids(findings[k])))
        count = sum(getattr(findings[k], "pairs", 1) for k in members)
        first = findings[members[0]]
        if first.rule not in labels:
            labels[first.rule] = R.rule_label(first.rule)
        message = template.format(labels[first.rule], count, R.format_value(first.rule, total) or "-")
        out.append(AggregatedFinding(first.patch_id, first.rule, first.severity, message, total, geometry,
                                     ids[0] if ids else None, first.accepted, pairs=count, other_ids=ids))
    return out


def _merge(findings: Sequence[Finding], groups: Dict[Any, List[int]]) -> Dict[Any, Tuple[Any, Optional[float]]]:
    """{group key: (union of its members' geometries, the area in conflict)} for groups of two or more, the unions
    in bulk: groups of like size padded into one array and reduced along its rows (shapely.union_all(axis=1),
    None ignored), split over the CPUs."""
    from .parallel import parallel

    keys = sorted(groups, key=lambda k: len(groups[k]))
    out: Dict[Any, Tuple[Any, Optional[float]]] = {}
    start = 0
    while start < len(keys):
        width = len(groups[keys[start]])
        stop = start
        while stop < len(keys) and len(groups[keys[stop]]) <= max(2 * width, width + 2) and stop - start < 20000:
            stop += 1
        chunk = keys[start:stop]
        widest = len(groups[chunk[-1]])
        grid = np.full((len(chunk), widest), None, dtype=object)
        for r, key in enumerate(chunk):
            geoms = [findings[k].geometry for k in groups[key]]
            grid[r, :len(geoms)] = geoms
        unions = parallel(_union_rows, grid)
        parts = shapely.area(grid)  # NaN for the padding (None)
        for r, key in enumerate(chunk):
            members = [findings[k] for k in groups[key]]
            values = [m.value for m in members if m.value is not None]
            total = float(sum(values)) if values else None
            n = len(members)
            if total is not None and len(values) == n and unions[r] is not None \
                    and all(m.geometry is not None for m in members):
                area = float(np.sum(parts[r, :n]))
                if area > 0:
                    ratio = float(shapely.area(unions[r])) / area
                    total = total if ratio > 1 - 1e-9 else total * ratio
            out[key] = (unions[r], total)
        start = stop
    return out


def _union_rows(grid: np.ndarray) -> np.ndarray:
    """The union of each row's geometries (one GEOS call; None for a row of None)."""
    try:
        result = shapely.union_all(grid, axis=1)
    except shapely.errors.GEOSException:  # a topology error in some row: that row repaired first, row by row
        result = np.asarray([_union_one(row) for row in grid], dtype=object)
    return np.asarray([None if g is None or g.is_empty else g for g in result], dtype=object)


def _union_one(row: np.ndarray):
    geoms = [g for g in row if g is not None]
    try:
        return shapely.union_all(geoms) if geoms else None
    except shapely.errors.GEOSException:
        return shapely.union_all([shapely.make_valid(g) for g in geoms])


def _as_aggregated(f: Finding) -> AggregatedFinding:
    return f if isinstance(f, AggregatedFinding) else single_finding(f)


def _other_ids(f: Finding) -> Tuple[str, ...]:
    if isinstance(f, AggregatedFinding):
        return f.other_ids
    return (f.other_id,) if f.other_id else ()


def group_key(f: Finding) -> Optional[Tuple[str, str, bool]]:
    """The key `aggregate` groups a finding by; None for findings it leaves as they are."""
    return (f.patch_id, f.rule, bool(f.accepted)) if f.rule in PAIR_RULES and f.patch_id else None



class TileAggregation:
    """`each_tile` for tiles.run_tiled: each tile's findings aggregated there (grouped) or one by one, with the pairs
    counted (and kept in `pairs` for a report's detail sheet when keep_pairs). A patch is checked in one tile, so
    its pairs meet there; only patches that share an id (a data error) can land in two tiles, and `finish` then
    merges their findings into one per id and rule, as an untiled run gives. Tiles may run in threads.

    With `emit`, each tile's findings go out as soon as the tile is done (written to the output), so memory does
    not grow with the findings: those of the ids in `hold_ids` (ids several patches share) are held back and go out
    merged in `finish`. With keep=False nothing is returned (the findings are only emitted); `counts` has the
    findings per rule and `total` their number either way."""

    def __init__(self, grouped: bool = True, keep_pairs: bool = False,
                 emit: Optional[Callable[[List[AggregatedFinding]], None]] = None, keep: bool = True,
                 hold_ids: Iterable[str] = ()):
        self.grouped, self.keep_pairs, self.emit, self.keep = grouped, keep_pairs, emit, keep
        self.hold_ids = frozenset(hold_ids)
        self.pairs: List[Finding] = []
        self.counted = 0
        self.counts: Dict[str, int] = {}
        self.total = 0
        self._held: List[AggregatedFinding] = []
        self._seen: Dict[Any, int] = {}  # group key -> the tile it was aggregated in
        self._tiles = 0
        self._split = False
        self._lock = threading.Lock()

    def __call__(self, found: Sequence[Finding]) -> List[AggregatedFinding]:
        out = aggregate(found) if self.grouped else [single_finding(f) for f in found]
        with self._lock:
            self.counted += len(found)
            self._tiles += 1
            if self.keep_pairs and self.grouped:
                self.pairs.extend(found)
            if self.emit is None:
                if self.grouped:
                    for f in out:
                        key = group_key(f)
                        if key is not None and self._seen.setdefault(key, self._tiles) != self._tiles:
                            self._split = True
                return out
            if self.hold_ids:
                self._held.extend(f for f in out if f.patch_id in self.hold_ids)
                out = [f for f in out if f.patch_id not in self.hold_ids]
            self._out(out)
            return out if self.keep else []

    def _out(self, findings: List[AggregatedFinding]) -> None:
        if self.emit is not None:
            self.emit(findings)
        self.total += len(findings)
        for f in findings:
            self.counts[f.rule] = self.counts.get(f.rule, 0) + 1

    def finish(self, findings: List[AggregatedFinding]) -> List[AggregatedFinding]:
        """The run's findings (what run_tiled returned), with those of one id split across tiles merged; with
        `emit`, the held ones merged and emitted."""
        if self.emit is None:
            findings = aggregate(findings) if self._split else findings
            self._out(findings)
            return findings
        held = aggregate(self._held) if self.grouped else self._held
        self._held = []
        self._out(held)
        return findings + held if self.keep else []
