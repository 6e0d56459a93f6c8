"""Progress report (进度通报): per county or township, patches and area by stage against the annual task.

Counts are cumulative by stage: "completed" is accepted + included and everything after (confirmed,
checked, verified), as in the provincial 通报; "design" is patches still at the design stage. Areas are
the declared patch areas (`area_mu`), which the `area_mismatch` check keeps consistent with the map.
Units are ranked by completion of their annual task (晾晒排名); equal completion shares a rank.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Union

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList

from ... import schema
from ...i18n import tr
from ...settings import WorkingCopyKey
from .. import geopackage
from ..output_file import save_workbook
from . import xlsx

GROUP_LEVELS = ("county", "township")


@dataclass
class UnitProgress:
    """One row of the report."""

    code: str
    name: str
    total_n: int = 0
    total_mu: float = 0.0
    design_n: int = 0
    design_mu: float = 0.0
    completed_n: int = 0
    completed_mu: float = 0.0
    confirmed_n: int = 0
    confirmed_mu: float = 0.0
    verified_n: int = 0
    verified_mu: float = 0.0
    quota_mu: Optional[float] = None
    rank: Optional[int] = None

    @property
    def completion(self) -> Optional[float]:
        """Completed area / annual task (a fraction); None without a task."""
        if not self.quota_mu:
            return None
        return self.completed_mu / self.quota_mu

    def add(self, stage: str, mu: float) -> None:
        self.total_n += 1
        self.total_mu += mu
        if stage == "design":
            self.design_n += 1
            self.design_mu += mu
        if stage in schema.COMPLETED_STAGES:
            self.completed_n += 1
            self.completed_mu += mu
        if stage in schema.CONFIRMED_STAGES:
            self.confirmed_n += 1
            self.confirmed_mu += mu
        if stage in schema.VERIFIED_STAGES:
            self.verified_n += 1
            self.verified_mu += mu


def default_year(patches: Sequence[Dict]) -> Optional[int]:
    """The most common afforestation year among the patches."""
    years = Counter(p.get("year") for p in patches if p.get("year"))
    return years.most_common(1)[0][0] if years else None


def _unit_code(patch: Dict, group_by: str) -> str:
    if group_by == "county":
        return patch.get("county_code") or (patch.get("village_code") or "")[:6]
    return patch.get("township_code") or (patch.get("village_code") or "")[:9]


def compute_progress(patches: Iterable[Dict], tasks: Iterable[Dict], unit_names: Dict[str, str],
                     group_by: str = "township", year: Optional[int] = None) -> List[UnitProgress]:
    """Rows per unit (every unit with a task or a patch), ranked by completion of the annual task."""
    if group_by not in GROUP_LEVELS:
        raise ValueError(tr("GROUP_BY must be county or township, not {0}").format(group_by))
    patches = list(patches)
    year = year or default_year(patches)
    rows: Dict[str, UnitProgress] = {}

    def row(code: str) -> UnitProgress:
        if code not in rows:
            rows[code] = UnitProgress(code, unit_names.get(code, code or tr("(no unit code)")))
        return rows[code]

    for t in tasks:
        if t.get("unit_level") == group_by and (year is None or t.get("year") == year):
            r = row(t["unit_code"])
            r.quota_mu = (r.quota_mu or 0.0) + float(t.get("quota_mu") or 0.0)
    for p in patches:
        if year is not None and p.get("year") != year:
            continue
        row(_unit_code(p, group_by)).add(p.get("stage") or "", float(p.get("area_mu") or 0.0))
    ordered = sorted(rows.values(), key=lambda r: (-(r.completion if r.completion is not None else -1), r.code))
    rank, previous = 0, object()
    for i, r in enumerate(ordered, start=1):
        if r.completion is None:
            continue
        if r.completion != previous:  # competition ranking: 1, 2, 2, 4
            rank, previous = i, r.completion
        r.rank = rank
    return ordered


def totals(rows: Sequence[UnitProgress]) -> UnitProgress:
    t = UnitProgress("", tr("Total"))
    for r in rows:
        for f in ("total_n", "total_mu", "design_n", "design_mu", "completed_n", "completed_mu", "confirmed_n",
                  "confirmed_mu", "verified_n", "verified_mu"):
            setattr(t, f, getattr(t, f) + getattr(r, f))
    quotas = [r.quota_mu for r in rows if r.quota_mu]
    t.quota_mu = sum(quotas) if quotas else None
    return t


def read_progress_inputs(path: str):
    """(patches, tasks, unit names) from a working copy, as compute_progress wants them. The unit names come from
    its administrative units (queries.admin_names: its own table, or the PostGIS table its reference_source setting
    names). Raises pg_source.ReferenceSourceError (a ValueError) when the database cannot be read: a report without
    the names would not say so."""
    from ..queries import admin_names

    fields = ["patch_id", "county_code", "township_code", "village_code", "year", "stage", "area_mu"]
    patches = [a for _f, a, _g in geopackage.read_features(path, schema.PATCHES, fields)]
    tasks = [a for _f, a, _g in geopackage.read_features(path, schema.TASKS)]
    names = admin_names(path)
    return patches, tasks, names


COLUMNS = 15  # No., unit, task, 5 x (count, area) pairs, completion, rank -> see _headers


def _headers():
    groups = [(tr("No."), 1), (tr("Unit"), 1), (tr("Annual task (mu)"), 1), (tr("All patches"), 2),
              (tr("Design stage"), 2), (tr("Completed (accepted + included)"), 2), (tr("Confirmed"), 2),
              (tr("Verified (city / province)"), 2), (tr("Completion of task"), 1), (tr("Rank"), 1)]
    pair = [tr("Patches"), tr("Area (mu)")]
    sub = ["", "", ""] + pair * 5 + ["", ""]
    return groups, sub


def _values(i: Optional[int], r: UnitProgress) -> list:
    return [i, r.name if r.name == r.code else f"{r.name}（{r.code}）" if r.code else r.name, r.quota_mu,
            r.total_n, round(r.total_mu, 2), r.design_n, round(r.design_mu, 2), r.completed_n, round(r.completed_mu, 2),
            r.confirmed_n, round(r.confirmed_mu, 2), r.verified_n, round(r.verified_mu, 2),
            r.completion if r.completion is not None else "—", r.rank if r.rank is not None else "—"]


def write_progress_report(source: Union[str, Sequence[UnitProgress], Sequence[Dict]], out_path: str,
                          group_by: str = "township", year: Optional[int] = None, title: Optional[str] = None,
                          date: Optional[_dt.date] = None, region: str = "",
                          tasks: Optional[Iterable[Dict]] = None, unit_names: Optional[Dict[str, str]] = None) -> str:
    """Write the progress report workbook from a working copy path, patch records (+ tasks) or computed rows.
    core.output_file.OutputFileError (an OSError, its text for the user) when it cannot be written: nothing is left
    half written, and a report already at `out_path` is kept unchanged."""
    if isinstance(source, str):  # a working-copy GeoPackage
        patches, wc_tasks, names = read_progress_inputs(source)
        year = year or default_year(patches)
        rows = compute_progress(patches, wc_tasks, names, group_by, year)
        region = region or geopackage.get_setting(source, WorkingCopyKey.COUNTY_NAME, "") or ""
    elif source and not isinstance(source[0], UnitProgress):  # patch records
        year = year or default_year(source)
        rows = compute_progress(source, tasks or [], unit_names or {}, group_by, year)
    else:
        rows = list(source)
    date = date or _dt.date.today()
    wb = Workbook()
    ws = wb.active
    ws.title = tr("Progress")
    level = tr("county") if group_by == "county" else tr("township")
    title = title or tr("{0} afforestation progress report {1}").format(region, year or "").strip()
    subtitle = [tr("Statistics date: {0}    Area unit: mu    Grouped by {1}").format(date.isoformat(), level),
                tr("Completed = accepted + included and later stages; completion = completed area / annual task")]
    groups, sub = _headers()
    first_header = xlsx.title_block(ws, title, subtitle, COLUMNS)
    first = xlsx.header_rows(ws, first_header, groups, sub)
    r = first
    for i, row in enumerate(rows, start=1):
        for c, v in enumerate(_values(i, row), start=1):
            ws.cell(row=r, column=c, value=v)
        r += 1
    total_row = r
    for c, v in enumerate(_values(None, totals(rows)), start=1):
        ws.cell(row=total_row, column=c, value=v)
    ws.cell(row=total_row, column=COLUMNS, value="")
    mu, n = xlsx.MU_FORMAT, xlsx.COUNT_FORMAT
    formats = [None, None, mu, n, mu, n, mu, n, mu, n, mu, n, mu, xlsx.PERCENT_FORMAT, n]
    xlsx.style_data(ws, first, total_row, formats, total_rows=[total_row])
    xlsx.column_widths(ws, [6, 26, 12, 8, 11, 8, 11, 8, 11, 8, 11, 8, 11, 10, 7])
    ws.freeze_panes = ws.cell(row=first, column=3)
    xlsx.print_setup(ws, first_header, first - 1)
    if rows:
        _chart(ws, first, first + len(rows) - 1, first_header)
    wb.properties.title = title
    wb.properties.creator = "forestry_plugin"
    save_workbook(wb, out_path)  # all or nothing: a full disk keeps the report that was there (OutputFileError)
    return out_path


def _chart(ws, first: int, last: int, header_row: int) -> None:
    """Native Excel bar chart of completion per unit, placed below the table."""
    chart = BarChart()
    chart.type = "col"
    chart.title = tr("Completion of the annual task")
    chart.y_axis.title = tr("Completion")
    chart.y_axis.numFmt = "0%"
    chart.y_axis.majorGridlines = None
    chart.legend = None
    data = Reference(ws, min_col=14, min_row=first, max_row=last)
    cats = Reference(ws, min_col=2, min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(cats)
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.height, chart.width = 9, 24
    ws.add_chart(chart, f"B{last + 4}")


def progress_report_from_working_copy(path: str, out_path: str, group_by: str = "township",
                                      year: Optional[int] = None, title: Optional[str] = None,
                                      date: Optional[_dt.date] = None) -> List[UnitProgress]:
    """Compute and write the report for a working copy; return the rows."""
    patches, tasks, names = read_progress_inputs(path)
    year = year or default_year(patches)
    rows = compute_progress(patches, tasks, names, group_by, year)
    region = geopackage.get_setting(path, WorkingCopyKey.COUNTY_NAME, "") or ""
    write_progress_report(rows, out_path, group_by, year, title, date, region)
    return rows
