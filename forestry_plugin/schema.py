"""Single source of truth for fields, code lists, units and layer names.

Everything else (GeoPackage creation, forms, checks, workflow, sync, reports)
reads these definitions; nothing else declares a field or a code.
Pure Python: no QGIS import, so the schema is usable anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

# ---------------------------------------------------------------------------
# Units and coordinate reference systems
# ---------------------------------------------------------------------------

M2_PER_MU = 2000.0 / 3.0  # 1 mu = 666.666... m2
M2_PER_HA = 10000.0
MU_PER_HA = 15.0

CGCS2000_GEOGRAPHIC = "EPSG:4490"
CGCS2000_ELLIPSOID = "EPSG:1024"
DEFAULT_PROJECT_CRS = "EPSG:4549"  # CGCS2000 / 3-degree Gauss-Kruger CM 120E
# Every CRS that counts as CGCS2000 for the `crs` check: geographic and the
# 3-degree GK zones 25..45 with (4513..4533) and without (4534..4554) zone prefix.
CGCS2000_EPSG_CODES = frozenset([4490] + list(range(4491, 4555)))


def m2_to_mu(m2: float) -> float:
    """Square metres to mu."""
    return m2 / M2_PER_MU


def m2_to_ha(m2: float) -> float:
    """Square metres to hectares."""
    return m2 / M2_PER_HA


def mu_to_m2(mu: float) -> float:
    """Mu to square metres."""
    return mu * M2_PER_MU


def rounded_area(area) -> Tuple[float, float]:
    """(area_mu, area_ha) of an area (anything with .mu and .ha, e.g. core.area.Area), rounded to the decimals the
    schema gives the two fields: the one rounding of every area the plugin writes."""
    return PATCH_FIELD["area_mu"].rounded(area.mu), PATCH_FIELD["area_ha"].rounded(area.ha)


def plain_value(v):
    """An attribute value as QGIS hands it over, as the schema stores it: QVariant NULL -> None,
    QDate -> "yyyy-MM-dd", QDateTime -> "yyyy-MM-ddTHH:mm:ss"; anything else unchanged."""
    if v is None:
        return None
    if hasattr(v, "isNull") and not isinstance(v, str) and v.isNull():
        return None
    if hasattr(v, "toString") and not isinstance(v, str):
        if hasattr(v, "time"):
            return v.toString("yyyy-MM-ddTHH:mm:ss")
        return v.toString("yyyy-MM-dd")
    return v


def patch_label(patch_id, tuban_no=None) -> str:
    """What a person reads for a patch: its 图斑编号 (tuban_no), else the first 8 characters of its id (never the
    whole UUID). The one place that decides it: messages, docks, dialogs and reports all name patches so."""
    no = plain_value(tuban_no)
    if no is not None and str(no).strip():
        return str(no).strip()
    return str(patch_id or "")[:8]


# ---------------------------------------------------------------------------
# Code lists
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    """One entry of a code list: stored code, Chinese and English label."""

    code: str
    zh: str
    en: str

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang.startswith("zh") else self.en


@dataclass(frozen=True)
class CodeList:
    """An ordered list of codes with a name used for value maps."""

    name: str
    zh: str
    en: str
    codes: Tuple[Code, ...]

    def __iter__(self):
        return iter(self.codes)

    def __contains__(self, code: object) -> bool:
        return any(c.code == code for c in self.codes)

    def get(self, code: str) -> Optional[Code]:
        for c in self.codes:
            if c.code == code:
                return c
        return None

    def label(self, code: str, lang: str = "zh") -> str:
        c = self.get(code)
        return c.label(lang) if c else str(code)

    def values(self) -> List[str]:
        return [c.code for c in self.codes]

    def value_map(self, lang: str = "zh", with_code: bool = False) -> Dict[str, str]:
        """Label -> code, ordered, as QGIS's ValueMap editor widget expects."""
        return {(f"{c.code} {c.label(lang)}" if with_code else c.label(lang)): c.code for c in self.codes}


def _cl(name: str, zh: str, en: str, items: List[Tuple[str, str, str]]) -> CodeList:
    return CodeList(name, zh, en, tuple(Code(*i) for i in items))


# Stages, in workflow order (docs/domain.md "Stages").
STAGES = _cl("stage", "阶段", "Stage", [
    ("design", "设计施工", "Design / under construction"),
    ("accepted", "造林验收", "Planting accepted"),
    ("included", "纳入造林", "Included (non-forestry planting)"),
    ("confirmed", "百万亩确认", "Confirmed"),
    ("county_checked", "县级自查", "County self-check"),
    ("city_verified", "市级核查", "City verification"),
    ("province_verified", "省级核查", "Province verification"),
])
STAGE_ORDER = {c.code: i for i, c in enumerate(STAGES)}
# "Completed" for progress reporting: accepted + included (and everything after).
COMPLETED_STAGES = frozenset(["accepted", "included", "confirmed", "county_checked", "city_verified", "province_verified"])
CONFIRMED_STAGES = frozenset(["confirmed", "county_checked", "city_verified", "province_verified"])
VERIFIED_STAGES = frozenset(["city_verified", "province_verified"])

METHODS = _cl("method", "造林方式", "Afforestation method", [
    ("planting", "人工造林", "Artificial planting"),
    ("aerial_seeding", "飞播造林", "Aerial seeding"),
    ("closure", "封山育林", "Mountain closure"),
    ("restoration", "退化林修复", "Degraded forest restoration"),
    ("regeneration", "人工更新", "Artificial regeneration"),
])
# Methods that may legitimately be placed on existing 0301/0302 forest land.
METHODS_ALLOWED_ON_FOREST = frozenset(["restoration", "regeneration"])

RESTORATION_METHODS = _cl("restore_method", "修复方式", "Restoration method", [
    ("replanting", "补植补播", "Replanting / reseeding"),
    ("harvest_restore", "采伐修复", "Harvest restoration"),
    ("replacement", "更替修复", "Replacement"),
    ("coppicing", "平茬复壮", "Coppicing"),
    ("assisted", "辅助措施", "Assisted measures"),
])

FOREST_TYPES = _cl("forest_type", "林种", "Forest type", [
    ("timber", "用材林", "Timber forest"),
    ("economic", "经济林", "Economic forest"),
    ("protection", "防护林", "Protection forest"),
    ("energy", "薪炭林(能源林)", "Fuelwood / energy forest"),
    ("special", "特种用途林", "Special-purpose forest"),
])

# Provincial tree-species dictionary. Provinces differ: a project can replace
# this list (see core.geopackage.load_code_list_overrides); these are defaults.
SPECIES = _cl("species", "树种", "Tree species", [
    ("cunninghamia", "杉木", "Chinese fir"),
    ("masson_pine", "马尾松", "Masson pine"),
    ("slash_pine", "湿地松", "Slash pine"),
    ("camphor", "香樟", "Camphor tree"),
    ("schima", "木荷", "Schima superba"),
    ("liquidambar", "枫香", "Sweetgum"),
    ("phoebe", "浙江楠", "Zhejiang phoebe"),
    ("ginkgo", "银杏", "Ginkgo"),
    ("metasequoia", "水杉", "Dawn redwood"),
    ("poplar", "杨树", "Poplar"),
    ("bamboo", "毛竹", "Moso bamboo"),
    ("bayberry", "杨梅", "Chinese bayberry"),
    ("tea_oil", "油茶", "Tea-oil camellia"),
    ("hickory", "山核桃", "Chinese hickory"),
    ("torreya", "香榧", "Torreya"),
    ("mixed_broadleaf", "阔叶混交", "Mixed broadleaf"),
    ("mixed_conifer_broadleaf", "针阔混交", "Mixed conifer-broadleaf"),
    ("shrub", "灌木", "Shrubs"),
])

# 三调 land classes, GB/T 21010-2017 (field DLBM). Group = first two digits.
LAND_CLASSES = _cl("dlbm", "地类", "Land class", [
    ("0101", "水田", "Paddy field"),
    ("0102", "水浇地", "Irrigated land"),
    ("0103", "旱地", "Dry land"),
    ("0201", "果园", "Orchard"),
    ("0202", "茶园", "Tea garden"),
    ("0203", "橡胶园", "Rubber plantation"),
    ("0204", "其他园地", "Other garden land"),
    ("0301", "乔木林地", "Arbor forest land"),
    ("0302", "竹林地", "Bamboo forest land"),
    ("0303", "红树林地", "Mangrove land"),
    ("0304", "森林沼泽", "Forest swamp"),
    ("0305", "灌木林地", "Shrub land"),
    ("0306", "灌丛沼泽", "Shrub swamp"),
    ("0307", "其他林地", "Other forest land"),
    ("0401", "天然牧草地", "Natural pasture"),
    ("0402", "沼泽草地", "Marsh grassland"),
    ("0403", "人工牧草地", "Artificial pasture"),
    ("0404", "其他草地", "Other grassland"),
    ("05H1", "商业服务业设施用地", "Commercial service land"),
    ("0508", "物流仓储用地", "Logistics and storage land"),
    ("0601", "工业用地", "Industrial land"),
    ("0602", "采矿用地", "Mining land"),
    ("0603", "盐田", "Salt pan"),
    ("0701", "城镇住宅用地", "Urban residential land"),
    ("0702", "农村宅基地", "Rural homestead"),
    ("08H1", "机关团体新闻出版用地", "Public administration land"),
    ("08H2", "科教文卫用地", "Science, education, culture, health land"),
    ("0809", "公用设施用地", "Public utilities land"),
    ("0810", "公园与绿地", "Parks and green space"),
    ("09", "特殊用地", "Special-use land"),
    ("1001", "铁路用地", "Railway land"),
    ("1002", "轨道交通用地", "Rail transit land"),
    ("1003", "公路用地", "Highway land"),
    ("1004", "城镇村道路用地", "Urban and village road land"),
    ("1005", "交通服务场站用地", "Transport station land"),
    ("1006", "农村道路", "Rural road"),
    ("1007", "机场用地", "Airport land"),
    ("1008", "港口码头用地", "Port and wharf land"),
    ("1009", "管道运输用地", "Pipeline transport land"),
    ("1101", "河流水面", "River surface"),
    ("1102", "湖泊水面", "Lake surface"),
    ("1103", "水库水面", "Reservoir surface"),
    ("1104", "坑塘水面", "Pond surface"),
    ("1105", "沿海滩涂", "Coastal tidal flat"),
    ("1106", "内陆滩涂", "Inland tidal flat"),
    ("1107", "沟渠", "Ditch"),
    ("1108", "沼泽地", "Swamp land"),
    ("1109", "水工建筑用地", "Hydraulic construction land"),
    ("1110", "冰川及永久积雪", "Glacier and permanent snow"),
    ("1201", "空闲地", "Vacant land"),
    ("1202", "设施农用地", "Agricultural facility land"),
    ("1203", "田坎", "Field ridge"),
    ("1204", "盐碱地", "Saline-alkali land"),
    ("1205", "沙地", "Sandy land"),
    ("1206", "裸土地", "Bare soil"),
    ("1207", "裸岩石砾地", "Bare rock and gravel"),
    ("201", "城市", "City (built-up)"),
    ("202", "建制镇", "Town (built-up)"),
    ("203", "村庄", "Village (built-up)"),
    ("204", "盐田及采矿用地", "Salt pan and mining (built-up)"),
    ("205", "风景名胜及特殊用地", "Scenic and special (built-up)"),
])

# Land-class families used by the check rules (docs/domain.md "Checks").
CROPLAND_CLASSES = frozenset(["0101", "0102", "0103"])
EXISTING_FOREST_CLASSES = frozenset(["0301", "0302"])
WATER_CLASSES = frozenset(["1101", "1102", "1103", "1104", "1105", "1106", "1107", "1108", "1109", "1110"])
BUILTUP_CLASSES = frozenset(
    [c.code for c in LAND_CLASSES if c.code[:2] in ("05", "06", "07", "08", "09", "10") or c.code in ("201", "202", "203", "204", "205")]
)


def land_class_group(dlbm: str) -> str:
    """The first-level class of a DLBM code ("03" for "0301", "20" for "203")."""
    return (dlbm or "")[:2]


REJECTION_REASONS = _cl("rejection_reason", "退回原因", "Rejection reason", [
    ("not_implemented", "未实施", "Not implemented"),
    ("duplicate", "重复上报", "Reported twice"),
    ("method_mismatch", "绿化方式与设计不符", "Greening method differs from design"),
    ("location_mismatch", "位置范围与设计不符", "Location or extent differs from design"),
    ("not_per_design", "未按设计施工", "Not built according to design"),
    ("survival_failed", "成活率不合格", "Survival rate below standard"),
    ("other", "其他", "Other"),
])

SEVERITIES = _cl("severity", "严重程度", "Severity", [
    ("error", "错误", "Error"),
    ("warning", "警告", "Warning"),
    ("info", "提示", "Info"),
])

ADMIN_LEVELS = _cl("admin_level", "行政级别", "Administrative level", [
    ("county", "县", "County"),
    ("township", "乡镇", "Township"),
    ("village", "村", "Village"),
])

ROLES = _cl("role", "角色", "Role", [
    ("contractor", "施工单位/勾绘人员", "Contractor"),
    ("county_technician", "县级技术人员", "County technician"),
    ("county_reviewer", "县级审核", "County reviewer"),
    ("city_reviewer", "市级核查", "City reviewer"),
    ("province_reviewer", "省级核查", "Province reviewer"),
])

CODE_LISTS: Dict[str, CodeList] = {cl.name: cl for cl in (
    STAGES, METHODS, RESTORATION_METHODS, FOREST_TYPES, SPECIES, LAND_CLASSES,
    REJECTION_REASONS, SEVERITIES, ADMIN_LEVELS, ROLES,
)}

# ---------------------------------------------------------------------------
# Fields
# ---------------------------------------------------------------------------

# Field types (mapped to OGR/QGIS types by core.geopackage).
STRING, INTEGER, REAL, DATE, DATETIME, BOOLEAN = "string", "integer", "real", "date", "datetime", "boolean"


@dataclass(frozen=True)
class Field:
    """One attribute field of a layer."""

    name: str
    type: str
    zh: str
    en: str
    length: int = 0
    code_list: Optional[str] = None  # name in CODE_LISTS: the value must be one of its codes
    required: bool = False  # required from the first stage on
    required_from: Optional[str] = None  # required from this stage on (STAGE_ORDER)
    min_value: Optional[float] = None
    max_value: Optional[float] = None
    pattern: Optional[str] = None  # regular expression for strings
    default_expression: Optional[str] = None  # QGIS expression used by the attribute form
    editable: bool = True  # False: filled by the plugin, read-only in forms
    synced: bool = True  # exchanged with the provincial platform
    decimals: Optional[int] = None  # REAL fields the plugin computes: stored rounded to this many decimals

    def rounded(self, value):
        """`value` rounded to the field's decimals (unchanged without decimals, or when empty)."""
        if value is None or self.decimals is None:
            return value
        return round(float(value), self.decimals)

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang.startswith("zh") else self.en

    def is_required_at(self, stage: str) -> bool:
        if self.required:
            return True
        if self.required_from is None:
            return False
        return STAGE_ORDER.get(stage, -1) >= STAGE_ORDER[self.required_from]


PATCH_FIELDS: Tuple[Field, ...] = (
    Field("patch_id", STRING, "图斑唯一标识", "Patch ID", 36, required=True,
          pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
          default_expression="uuid('WithoutBraces')", editable=False),
    Field("county_code", STRING, "县级行政区代码", "County code", 6, required=True, pattern=r"^\d{6}$"),
    Field("township_code", STRING, "乡镇代码", "Township code", 9, required=True, pattern=r"^\d{9}$"),
    Field("village_code", STRING, "行政村代码", "Village code", 12, required=True, pattern=r"^\d{12}$"),
    Field("lin_ban", STRING, "林班号", "Forest compartment no.", 10),
    Field("xiao_ban", STRING, "小班号", "Sub-compartment no.", 10),
    Field("tuban_no", STRING, "图斑编号", "Patch number", 20),
    Field("year", INTEGER, "造林年度", "Afforestation year", required=True, min_value=2000, max_value=2100,
          default_expression="to_int(format_date(now(), 'yyyy'))"),
    Field("plan_year", INTEGER, "计划年度", "Plan year", min_value=2000, max_value=2100),
    Field("method", STRING, "造林方式", "Afforestation method", 20, code_list="method", required=True),
    Field("restore_method", STRING, "修复方式", "Restoration method", 20, code_list="restore_method"),
    Field("forest_type", STRING, "林种", "Forest type", 20, code_list="forest_type", required=True),
    Field("species", STRING, "树种", "Tree species", 40, code_list="species", required=True),
    Field("prev_dlbm", STRING, "前地类", "Previous land class", 4, code_list="dlbm"),
    # The ellipsoidal area the plugin writes (editing context, checks fixes): rounded to `decimals` (rounded_area).
    Field("area_mu", REAL, "实施面积(亩)", "Area (mu)", required=True, min_value=0, decimals=4),
    Field("area_ha", REAL, "实施面积(公顷)", "Area (ha)", required=True, min_value=0, decimals=4),
    Field("density", INTEGER, "造林密度(株/亩)", "Density (plants/mu)", min_value=0, max_value=2000),
    Field("survival_rate", REAL, "成活率(%)", "Survival rate (%)", min_value=0, max_value=100, required_from="accepted"),
    Field("stage", STRING, "阶段", "Stage", 20, code_list="stage", required=True, default_expression="'design'",
          editable=False),
    Field("contractor", STRING, "施工单位", "Contractor", 100),
    Field("design_date", DATE, "设计日期", "Design date"),
    Field("accept_date", DATE, "验收日期", "Acceptance date", required_from="accepted"),
    Field("approval_no", STRING, "占用耕地审批文号", "Cropland approval no.", 50),
    Field("parent_ids", STRING, "来源图斑", "Parent patch IDs", 254, editable=False),
    Field("remark", STRING, "备注", "Remark", 254),
    Field("created_at", DATETIME, "创建时间", "Created at", editable=False, default_expression="now()"),
    Field("updated_at", DATETIME, "修改时间", "Updated at", editable=False, default_expression="now()"),
    # Local edit counter, +1 on every saved change (geometry, attributes or stage); the audit's "patch version".
    Field("revision", INTEGER, "版本号", "Revision", editable=False, synced=False, default_expression="1"),
    # Sync bookkeeping: the platform's version of this patch when last synced (NULL = never synced).
    Field("server_version", INTEGER, "平台版本", "Server version", editable=False, synced=False),
)
PATCH_FIELD_NAMES = tuple(f.name for f in PATCH_FIELDS)
PATCH_FIELD = {f.name: f for f in PATCH_FIELDS}
# Column names found in contractors' files (pinyin initials and short Chinese names), besides each field's own
# name and its Chinese and English labels, that the importer maps onto patch fields. Compared case-insensitively.
PATCH_IMPORT_ALIASES: Dict[str, Tuple[str, ...]] = {
    "lin_ban": ("LB", "LBH", "林班"),
    "xiao_ban": ("XB", "XBH", "小班"),
    "tuban_no": ("TBBH", "TBH", "图斑号"),
    "year": ("ZLND", "ND", "年度"),
    "plan_year": ("JHND",),
    "method": ("ZLFS",),
    "restore_method": ("XFFS",),
    "forest_type": ("LZ",),
    "species": ("SZ", "ZLSZ", "树种名称"),
    "density": ("ZLMD", "MD", "密度"),
    "contractor": ("SGDW",),
    "design_date": ("SJRQ",),
    "approval_no": ("PZWH", "审批文号"),
    "remark": ("BZ",),
}
PATCH_ID_FIELD = "patch_id"
LANDCLASS_FIELD = "DLBM"

BASEMAP_FIELDS: Tuple[Field, ...] = (
    Field("BSM", STRING, "标识码", "Feature ID", 18),
    Field("TBBH", STRING, "图斑编号", "Parcel number", 18),
    Field(LANDCLASS_FIELD, STRING, "地类编码", "Land class code", 5, code_list="dlbm", required=True),
    Field("DLMC", STRING, "地类名称", "Land class name", 60),
    Field("ZLDWDM", STRING, "坐落单位代码", "Location unit code", 19, pattern=r"^\d{19}$"),
)

ADMIN_FIELDS: Tuple[Field, ...] = (
    Field("code", STRING, "行政区代码", "Administrative code", 12, required=True),
    Field("name", STRING, "名称", "Name", 60, required=True),
    Field("level", STRING, "级别", "Level", 10, code_list="admin_level", required=True),
    Field("parent_code", STRING, "上级代码", "Parent code", 12),
)

FARMLAND_FIELDS: Tuple[Field, ...] = (
    Field("jbnt_id", STRING, "永久基本农田编号", "Basic farmland ID", 30),
    Field("county_code", STRING, "县级行政区代码", "County code", 6),
)

TASK_FIELDS: Tuple[Field, ...] = (
    Field("year", INTEGER, "年度", "Year", required=True),
    Field("unit_code", STRING, "行政区代码", "Unit code", 12, required=True),
    Field("unit_level", STRING, "级别", "Level", 10, code_list="admin_level", required=True),
    Field("quota_mu", REAL, "年度任务(亩)", "Annual quota (mu)", required=True, min_value=0),
)

ISSUE_FIELDS: Tuple[Field, ...] = (
    Field("run_id", STRING, "检查批次", "Run ID", 36),
    Field("patch_id", STRING, "图斑唯一标识", "Patch ID", 36),
    Field("rule", STRING, "规则", "Rule", 30),
    Field("severity", STRING, "严重程度", "Severity", 10, code_list="severity"),
    Field("message", STRING, "说明", "Message", 254),
    Field("value", REAL, "量测值", "Measured value"),
    Field("other_id", STRING, "相关对象", "Related feature", 60),
    Field("checked_at", DATETIME, "检查时间", "Checked at"),
)

EXCEPTION_FIELDS: Tuple[Field, ...] = (
    Field("patch_id", STRING, "图斑唯一标识", "Patch ID", 36, required=True),
    Field("rule", STRING, "规则", "Rule", 30, required=True),
    Field("other_id", STRING, "相关对象", "Related feature", 60),
    Field("reason", STRING, "理由", "Reason", 254, required=True),
    Field("accepted_by", STRING, "确认人", "Accepted by", 60),
    Field("accepted_at", DATETIME, "确认时间", "Accepted at"),
    Field("severity", STRING, "严重程度", "Severity", 10, code_list="severity"),
    Field("role", STRING, "确认人角色", "Role", 30, code_list="role"),
    Field("approval_ref", STRING, "审批文号", "Approval no.", 50),
    # pending (not yet on the platform) | accepted (the platform knows it) | refused (the platform said no)
    Field("status", STRING, "平台状态", "Platform status", 10),
    Field("client_key", STRING, "提交标识", "Submission key", 80),
    Field("platform_message", STRING, "平台意见", "Platform message", 254),
)

# Per patch: when it was last checked and how it fared. Written by the check engine together with
# check_issues (which always holds the *current* findings of each checked patch); read by the workflow.
CHECK_STATE_FIELDS: Tuple[Field, ...] = (
    Field("patch_id", STRING, "图斑唯一标识", "Patch ID", 36, required=True),
    Field("checked_at", DATETIME, "检查时间", "Checked at", required=True),
    Field("patch_revision", INTEGER, "检查时图斑版本", "Patch revision checked"),
    Field("errors", INTEGER, "错误数", "Errors"),
    Field("warnings", INTEGER, "警告数", "Warnings"),
    Field("checked_by", STRING, "检查人", "Checked by", 60),
)

AUDIT_FIELDS: Tuple[Field, ...] = (
    Field("patch_id", STRING, "图斑唯一标识", "Patch ID", 36, required=True),
    Field("action", STRING, "操作", "Action", 20, required=True),
    Field("from_stage", STRING, "原阶段", "From stage", 20, code_list="stage"),
    Field("to_stage", STRING, "新阶段", "To stage", 20, code_list="stage"),
    Field("user_name", STRING, "操作人", "User", 60),
    Field("role", STRING, "角色", "Role", 30, code_list="role"),
    Field("reason", STRING, "原因", "Reason", 30, code_list="rejection_reason"),
    Field("comment", STRING, "意见", "Comment", 254),
    Field("patch_version", INTEGER, "图斑版本", "Patch version"),
    Field("at", DATETIME, "时间", "Time", required=True),
    Field("display_name", STRING, "操作人姓名", "User's name", 60),
    # platform (logged in) | cached (offline, last login) | local (no account): how the person was known
    Field("identity", STRING, "身份来源", "Identity", 10),
    Field("approval_ref", STRING, "审批文号", "Approval no.", 50),
    # Hash chain (core.audit_chain): each row's hash covers its content and the previous row's hash.
    Field("prev_hash", STRING, "前一记录哈希", "Previous hash", 64),
    Field("row_hash", STRING, "记录哈希", "Row hash", 64),
)

# ---------------------------------------------------------------------------
# Layers of the working-copy GeoPackage
# ---------------------------------------------------------------------------

MULTIPOLYGON, NO_GEOMETRY = "MultiPolygon", None


@dataclass(frozen=True)
class LayerDef:
    """One table of the working-copy GeoPackage."""

    name: str
    zh: str
    en: str
    geometry: Optional[str]
    fields: Tuple[Field, ...] = field(default_factory=tuple)

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang.startswith("zh") else self.en


PATCHES = "patches"
HISTORY = "history_patches"
BASEMAP = "basemap"
ADMIN = "admin_units"
FARMLAND = "basic_farmland"
TASKS = "task_quotas"
ISSUES = "check_issues"
EXCEPTIONS = "accepted_exceptions"
AUDIT = "audit_log"
CHECK_STATE = "check_state"

LAYERS: Tuple[LayerDef, ...] = (
    LayerDef(PATCHES, "造林图斑", "Afforestation patches", MULTIPOLYGON, PATCH_FIELDS),
    LayerDef(HISTORY, "往年造林图斑", "Earlier years' patches", MULTIPOLYGON, PATCH_FIELDS),
    LayerDef(BASEMAP, "林地/国土底图", "Land base map", MULTIPOLYGON, BASEMAP_FIELDS),
    LayerDef(ADMIN, "行政区划", "Administrative units", MULTIPOLYGON, ADMIN_FIELDS),
    LayerDef(FARMLAND, "永久基本农田", "Permanent basic farmland", MULTIPOLYGON, FARMLAND_FIELDS),
    LayerDef(TASKS, "年度造林任务", "Annual task quotas", NO_GEOMETRY, TASK_FIELDS),
    LayerDef(ISSUES, "检查问题", "Check findings", MULTIPOLYGON, ISSUE_FIELDS),
    LayerDef(EXCEPTIONS, "认可例外", "Accepted exceptions", NO_GEOMETRY, EXCEPTION_FIELDS),
    LayerDef(AUDIT, "审核日志", "Audit log", NO_GEOMETRY, AUDIT_FIELDS),
    LayerDef(CHECK_STATE, "检查状态", "Check state", NO_GEOMETRY, CHECK_STATE_FIELDS),
)
LAYER = {ld.name: ld for ld in LAYERS}


def required_fields_for_stage(stage: str) -> List[Field]:
    """Patch fields that must be filled once a patch is at `stage`."""
    return [f for f in PATCH_FIELDS if f.is_required_at(stage)]


def stage_label(code: str, lang: str = "zh") -> str:
    return STAGES.label(code, lang)
