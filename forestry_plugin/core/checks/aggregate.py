"""Findings a person can use at city scale: one per patch and rule, the pairs summed.

A patch overlapping twelve cropland parcels has twelve `cropland` pair findings; at city scale that is most of
800 000 rows. `aggregate` makes it one finding: the summed measure, the merged problem geometry, how many pairs
and which other features (their ids kept, the pairs themselves kept as the detail)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

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
    and other ids summed."""
    groups: Dict[Tuple[str, str, bool], List[Finding]] = {}
    order: List[Tuple[str, Tuple]] = []
    for i, f in enumerate(findings):
        key = group_key(f)
        if key is not None:
            if key not in groups:
                groups[key] = []
                order.append(("group", key))
            groups[key].append(f)
        else:
            order.append(("single", (i,)))
    out: List[AggregatedFinding] = []
    for kind, key in order:
        if kind == "single":
            out.append(_as_aggregated(findings[key[0]]))
            continue
        members = groups[key]
        if len(members) == 1:
            out.append(_as_aggregated(members[0]))
            continue
        values = [m.value for m in members if m.value is not None]
        total = float(sum(values)) if values else None
        geoms = [m.geometry for m in members if m.geometry is not None]
        try:
            merged = shapely.union_all(geoms) if geoms else None
        except shapely.errors.GEOSException:
            merged = shapely.union_all([shapely.make_valid(g) for g in geoms])
        total = _less_shared(total, members, geoms, merged)
        ids = tuple(dict.fromkeys(i for m in members for i in _other_ids(m)))
        count = sum(m.pairs if isinstance(m, AggregatedFinding) else 1 for m in members)
        first = members[0]
        message = tr("{0}: {1} overlaps, {2} in all").format(R.rule_label(first.rule), count,
                                                               R.format_value(first.rule, total) or "-")
        out.append(AggregatedFinding(first.patch_id, first.rule, first.severity, message, total, merged,
                                     ids[0] if ids else None, first.accepted, pairs=count, other_ids=ids))
    return out


def _as_aggregated(f: Finding) -> AggregatedFinding:
    return f if isinstance(f, AggregatedFinding) else single_finding(f)


def _other_ids(f: Finding) -> Tuple[str, ...]:
    if isinstance(f, AggregatedFinding):
        return f.other_ids
    return (f.other_id,) if f.other_id else ()


def group_key(f: Finding) -> Optional[Tuple[str, str, bool]]:
    """The key `aggregate` groups a finding by; None for findings it leaves as they are."""
    return (f.patch_id, f.rule, bool(f.accepted)) if f.rule in PAIR_RULES and f.patch_id else None



def _less_shared(total: Optional[float], members: Sequence[Finding], geoms: Sequence, merged) -> Optional[float]:
    """The summed area less what the pairs' geometries share (see `aggregate`)."""
    if total is None or merged is None or len(geoms) != len(members) or any(m.value is None for m in members):
        return total
    parts = float(shapely.area(list(geoms)).sum())
    if parts <= 0:
        return total
    ratio = float(shapely.area(merged)) / parts
    return total if ratio > 1 - 1e-9 else total * ratio


class TileAggregation:
    """`each_tile` for tiles.run_tiled: each tile's findings aggregated there (grouped) or one by one, with the pairs
    counted (and kept in `pairs` for a report's detail sheet when keep_pairs). A patch is checked in one tile, so
    its pairs meet there; only patches that share an id (a data error) can land in two tiles, and `finish` then
    merges their findings into one per id and rule, as an untiled run gives. Tiles may run in threads."""

    def __init__(self, grouped: bool = True, keep_pairs: bool = False):
        self.grouped, self.keep_pairs = grouped, keep_pairs
        self.pairs: List[Finding] = []
        self.counted = 0
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
            if self.grouped:
                for f in out:
                    key = group_key(f)
                    if key is not None and self._seen.setdefault(key, self._tiles) != self._tiles:
                        self._split = True
        return out

    def finish(self, findings: List[AggregatedFinding]) -> List[AggregatedFinding]:
        """The run's findings, with those of one id split across tiles merged."""
        return aggregate(findings) if self._split else findings
