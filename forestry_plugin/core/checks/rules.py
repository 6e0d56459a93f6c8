"""The check rules: stable codes, default severities and thresholds (docs/domain.md "Checks")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from ... import schema
from ...i18n import tr, ui_language

INVALID_GEOMETRY = "invalid_geometry"
MIN_AREA = "min_area"
SLIVER = "sliver"
PATCH_OVERLAP = "patch_overlap"
BASIC_FARMLAND = "basic_farmland"
CROPLAND = "cropland"
BUILTUP_WATER = "builtup_water"
EXISTING_FOREST = "existing_forest"
OUTSIDE_ADMIN = "outside_admin"
HISTORY_OVERLAP = "history_overlap"
AREA_MISMATCH = "area_mismatch"
ATTRIBUTE = "attribute"
CRS = "crs"

ERROR, WARNING, INFO = "error", "warning", "info"
# Units of the measured values: square metres, metres, mu (亩), percent.
M2, M, MU, PERCENT = "m2", "m", "mu", "percent"
SEVERITY_CODES = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class RuleDef:
    """A rule: code, default severity and default thresholds (all configurable in a RuleProfile)."""

    code: str
    severity: str
    thresholds: Dict[str, float] = field(default_factory=dict)
    per_patch: bool = True  # False: a layer-level rule (crs)
    # The finding's measured value (Finding.value): its unit (M2, M, MU, PERCENT) and the decimals it is shown
    # and reported with; unit None: the rule has no measure to show (attribute findings count problems).
    unit: Optional[str] = None
    decimals: int = 2


RULES: Tuple[RuleDef, ...] = (
    RuleDef(INVALID_GEOMETRY, ERROR, unit=M2),  # the repaired area
    # Below error_m2: the rule's severity; between error_m2 and warning_m2: warning (1 mu, forest survey).
    RuleDef(MIN_AREA, ERROR, {"error_m2": 400.0, "warning_m2": round(schema.M2_PER_MU, 2)}, unit=M2),
    # Inferred: a patch whose every part is narrower than min_width_m, or whose thinness 4*pi*A/P^2 is below
    # max_thinness (a 1:60 strip), is a sliver. Value: the mean width.
    RuleDef(SLIVER, WARNING, {"min_width_m": 5.0, "max_thinness": 0.05}, unit=M),
    # Overlaps: the overlapping area.
    RuleDef(PATCH_OVERLAP, ERROR, {"tolerance_m2": 1.0}, unit=M2),
    RuleDef(BASIC_FARMLAND, ERROR, {"tolerance_m2": 1.0}, unit=M2),
    RuleDef(CROPLAND, ERROR, {"tolerance_m2": 1.0}, unit=M2),
    RuleDef(BUILTUP_WATER, WARNING, {"tolerance_m2": 1.0}, unit=M2),
    RuleDef(EXISTING_FOREST, WARNING, {"tolerance_m2": 1.0}, unit=M2),
    # Value: the share of the patch inside its declared unit.
    RuleDef(OUTSIDE_ADMIN, ERROR, {"min_share": 0.95}, unit=PERCENT, decimals=1),
    RuleDef(HISTORY_OVERLAP, ERROR, {"tolerance_m2": 1.0}, unit=M2),
    # Inferred: the attribute area may differ from the computed area by max(0.1 mu, 1 %). Value: the difference.
    RuleDef(AREA_MISMATCH, ERROR, {"tolerance_mu": 0.1, "tolerance_rel": 0.01}, unit=MU),
    RuleDef(ATTRIBUTE, ERROR),  # no measure (the value counts the problems): nothing shown
    RuleDef(CRS, ERROR, per_patch=False),
)
RULE = {r.code: r for r in RULES}
RULE_CODES: Tuple[str, ...] = tuple(r.code for r in RULES)

# Base-map land classes any rule looks at (cropland, built-up land and water, existing forest): the readers parse and
# index only these parcels, other parcels never produce a finding.
BASEMAP_CLASSES = schema.CROPLAND_CLASSES | schema.BUILTUP_CLASSES | schema.WATER_CLASSES | schema.EXISTING_FOREST_CLASSES

# Allowed range (minimum, maximum or None) of every threshold a profile may set. Every threshold is a finite number:
# a negative, NaN or infinite one would silently switch its rule off (nothing is below -1 m², nothing covers NaN).
# Shares and ratios are fractions (0.95, not 95 %).
THRESHOLD_RANGES: Dict[str, Tuple[float, Optional[float]]] = {
    "error_m2": (0.0, None), "warning_m2": (0.0, None), "min_width_m": (0.0, None), "max_thinness": (0.0, 1.0),
    "tolerance_m2": (0.0, None), "min_share": (0.0, 1.0), "tolerance_mu": (0.0, None), "tolerance_rel": (0.0, 1.0),
}


@dataclass(frozen=True)
class AreaMismatch:
    """A recorded area that does not match the mapped (ellipsoidal) area: which field, what it says (in its own
    unit and in mu), the difference declared − mapped in mu and the tolerance it exceeds."""

    field: str  # area_mu | area_ha
    declared: float
    declared_mu: float
    computed_mu: float
    difference_mu: float
    tolerance_mu: float


def area_tolerance(computed_mu: float, tolerance_mu: float, tolerance_rel: float) -> float:
    """How far (mu) a recorded area may be from the mapped area `computed_mu`: max(tolerance_mu, tolerance_rel ×
    area) — the one tolerance of the area_mismatch rule (the policy's area.tolerance_pct is tolerance_rel × 100)."""
    return max(float(tolerance_mu), float(tolerance_rel) * float(computed_mu))


def area_mismatch(area_mu: Optional[float], area_ha: Optional[float], computed_mu: float,
                  tolerance_mu: Optional[float] = None, tolerance_rel: Optional[float] = None
                  ) -> Optional[AreaMismatch]:
    """The area_mismatch rule, one definition for the checks and the workflow: None when the recorded area_mu and
    area_ha (1 ha = 15 mu; a missing one is not compared) both match the ellipsoidal area `computed_mu` within
    area_tolerance, else the first that does not. Default tolerances: the rule's (RULE[AREA_MISMATCH])."""
    defaults = RULE[AREA_MISMATCH].thresholds
    tol = area_tolerance(computed_mu, defaults["tolerance_mu"] if tolerance_mu is None else tolerance_mu,
                         defaults["tolerance_rel"] if tolerance_rel is None else tolerance_rel)
    for name, declared, factor in (("area_mu", area_mu, 1.0), ("area_ha", area_ha, schema.MU_PER_HA)):
        if declared is None:
            continue  # a missing area is an attribute finding, not a mismatch
        declared_mu = float(declared) * factor
        diff = declared_mu - float(computed_mu)
        if abs(diff) > tol:
            return AreaMismatch(name, float(declared), declared_mu, float(computed_mu), diff, tol)
    return None


_LABELS: Dict[str, Dict[str, str]] = {}  # language -> rule code -> label (a check run asks for one per finding)


def rule_label(code: str) -> str:
    """Translated, human-readable name of a rule code."""
    lang = tr("en")  # the loaded translation's marker (i18n.ui_language): the labels are built once per language
    labels = _LABELS.get(lang)
    if labels is None:
        labels = _LABELS[lang] = _rule_labels()
    return labels.get(code, code)


def _rule_labels() -> Dict[str, str]:
    return {
        INVALID_GEOMETRY: tr("Invalid geometry"),
        MIN_AREA: tr("Area below minimum"),
        SLIVER: tr("Sliver / too narrow"),
        PATCH_OVERLAP: tr("Overlap between patches"),
        BASIC_FARMLAND: tr("On permanent basic farmland"),
        CROPLAND: tr("On cropland without approval"),
        BUILTUP_WATER: tr("On built-up land or water"),
        EXISTING_FOREST: tr("On existing forest land"),
        OUTSIDE_ADMIN: tr("Outside the declared administrative unit"),
        HISTORY_OVERLAP: tr("Overlap with earlier years' patches"),
        AREA_MISMATCH: tr("Attribute area differs from mapped area"),
        ATTRIBUTE: tr("Attribute missing or invalid"),
        CRS: tr("Layer CRS is not CGCS2000"),
    }


def threshold_label(name: str) -> str:
    """Translated name of a threshold key."""
    labels = {
        "error_m2": tr("Error below (m²)"),
        "warning_m2": tr("Warning below (m²)"),
        "min_width_m": tr("Minimum width (m)"),
        "max_thinness": tr("Maximum thinness 4πA/P²"),
        "tolerance_m2": tr("Tolerance (m²)"),
        "min_share": tr("Minimum share inside the declared unit"),
        "tolerance_mu": tr("Tolerance (mu)"),
        "tolerance_rel": tr("Relative tolerance"),
    }
    return labels.get(name, name)


def severity_label(code: str, lang: Optional[str] = None) -> str:
    """Label of a severity code from the schema code list, by default in the user's language."""
    return schema.SEVERITIES.label(code, lang or ui_language())


def unit_label(unit: Optional[str]) -> str:
    """The symbol of a value unit as shown next to a number ("" for none)."""
    if not unit:
        return ""
    lang = tr("en")
    labels = _UNITS.get(lang)
    if labels is None:
        labels = _UNITS[lang] = {M2: tr("m²"), M: tr("m"), MU: tr("mu"), PERCENT: "%"}
    return labels.get(unit, "")


_UNITS: Dict[str, Dict[str, str]] = {}  # language -> unit -> symbol


def value_unit(code: str) -> Optional[str]:
    """The unit of a rule's measured value (None: the rule has no value to show)."""
    r = RULE.get(code)
    return r.unit if r is not None else None


def rounded_value(code: str, value: Optional[float]) -> Optional[float]:
    """A finding's value rounded to its rule's decimals; None when the rule shows no value (or there is none)."""
    r = RULE.get(code)
    if value is None or r is None or r.unit is None:
        return None
    try:
        return round(float(value), r.decimals)
    except (TypeError, ValueError):
        return None


def format_value(code: str, value: Optional[float]) -> str:
    """A finding's value for people: rounded as its rule says, with the unit ("1,800.00 m²", "12.5 %"); "" for
    attribute findings and findings without a value."""
    v = rounded_value(code, value)
    if v is None:
        return ""
    unit = unit_label(RULE[code].unit)
    text = f"{v:,.{RULE[code].decimals}f}"
    return f"{text} {unit}" if unit else text


def number_format(code: str) -> str:
    """The Excel number format of a rule's value: thousands separator and the rule's decimals."""
    r = RULE.get(code)
    decimals = r.decimals if r is not None else 2
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def value_text_expression(value_field: str = "value", rule_field: str = "rule") -> str:
    """A QGIS expression giving a finding's value as format_value does ("1,800.00 m²", "12.5 %"; "" for attribute
    findings and findings without a value), with the unit labels of the current UI language: the findings
    layer's value_text field (see project.configure_fields)."""
    v, r = f'"{value_field}"', f'"{rule_field}"'
    whens = []
    for d in RULES:
        if d.unit is None:
            continue
        unit = unit_label(d.unit).replace("'", "''")
        whens.append(f"WHEN {r} = '{d.code}' THEN format_number({v}, {d.decimals}, 'en') || ' {unit}'")
    return f"CASE WHEN {v} IS NULL THEN '' {' '.join(whens)} ELSE '' END"
