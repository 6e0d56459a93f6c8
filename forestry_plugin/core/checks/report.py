"""Check report as an Excel workbook (openpyxl): summary by rule, by unit, and the full findings list."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Dict, Iterable, Optional, Sequence, Tuple

from ... import schema
from ...i18n import tr, ui_language
from .. import clock
from ..output_file import save_workbook
from . import rules

_ISSUE = {f.name: f for f in schema.ISSUE_FIELDS}
_SEV_ORDER = {rules.ERROR: 0, rules.WARNING: 1, rules.INFO: 2}


def _header(ws, labels: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws.append(list(labels))
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDEBF7")
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"


def _widths(ws, widths: Sequence[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


def write_check_report(findings: Iterable, path: str, patch_units: Optional[Dict[str, Tuple[str, str]]] = None,
                       unit_names: Optional[Dict[str, str]] = None, title: str = "", include_accepted: bool = True,
                       patch_numbers: Optional[Dict[str, str]] = None, details: Optional[Iterable] = None) -> str:
    """Write findings (Finding objects or dicts) to an xlsx at `path`: by rule, by township/village, full list.

    Headers, severities and rule names are in the UI language (a Chinese QGIS writes a Chinese workbook).
    patch_units: patch_id -> (township_code, village_code); unit_names: code -> name; patch_numbers: patch_id ->
    图斑编号 (the findings list names each patch by it, the id kept in its own column). Values are rounded to their
    rule's decimals, with the rule's unit in a column of its own and a number format; attribute findings have none.
    details: the pairs behind aggregated findings (checks.aggregate), listed in a sheet of their own.
    core.output_file.OutputFileError (an OSError, its text for the user) when it cannot be written: nothing is left
    half written, and a report already at `path` is kept unchanged.
    """
    from openpyxl import Workbook

    patch_units = patch_units or {}
    unit_names = unit_names or {}
    patch_numbers = patch_numbers or {}
    rows = []
    for f in findings:
        get = f.get if isinstance(f, dict) else (lambda k, d=None, f=f: getattr(f, k, d))
        if not include_accepted and get("accepted", False):
            continue
        rows.append(dict(patch_id=get("patch_id") or "", rule=get("rule"), severity=get("severity"),
                         message=get("message") or "", value=get("value"), other_id=get("other_id") or "",
                         accepted=bool(get("accepted", False))))
    rows.sort(key=lambda r: (rules.RULE_CODES.index(r["rule"]) if r["rule"] in rules.RULE_CODES else 99,
                             _SEV_ORDER.get(r["severity"], 9), r["patch_id"]))
    wb = Workbook()
    lang = ui_language()  # one language per workbook: the user's, like every tr() text in it
    sev_cols = [rules.ERROR, rules.WARNING, rules.INFO]
    sev_labels = [schema.SEVERITIES.label(s, lang) for s in sev_cols]

    # Sheet 1: by rule.
    ws = wb.active
    ws.title = tr("By rule")
    _header(ws, [tr("Rule code"), _ISSUE["rule"].label(lang)] + sev_labels + [tr("Patches"), tr("Accepted exceptions")])
    by_rule: Dict[str, Counter] = defaultdict(Counter)
    patches_by_rule: Dict[str, set] = defaultdict(set)
    for r in rows:
        by_rule[r["rule"]][r["severity"]] += 0 if r["accepted"] else 1
        by_rule[r["rule"]]["accepted"] += 1 if r["accepted"] else 0
        patches_by_rule[r["rule"]].add(r["patch_id"])
    for code in rules.RULE_CODES:
        c = by_rule.get(code, Counter())
        ws.append([code, rules.rule_label(code)] + [c[s] for s in sev_cols] + [len(patches_by_rule.get(code, ())),
                                                                                c["accepted"]])
    _widths(ws, [18, 34, 10, 10, 10, 10, 14])

    # Sheet 2: by unit (township / village).
    ws = wb.create_sheet(tr("By unit"))
    _header(ws, [schema.PATCH_FIELD["township_code"].label(lang), tr("Township"), schema.PATCH_FIELD["village_code"].label(lang),
                 tr("Village")] + sev_labels + [tr("Patches with errors")])
    by_unit: Dict[Tuple[str, str], Counter] = defaultdict(Counter)
    err_patches: Dict[Tuple[str, str], set] = defaultdict(set)
    for r in rows:
        if r["accepted"]:
            continue
        key = patch_units.get(r["patch_id"], ("", ""))
        by_unit[key][r["severity"]] += 1
        if r["severity"] == rules.ERROR:
            err_patches[key].add(r["patch_id"])
    for (t, v) in sorted(by_unit):
        c = by_unit[(t, v)]
        ws.append([t, unit_names.get(t, ""), v, unit_names.get(v, "")] + [c[s] for s in sev_cols] +
                  [len(err_patches[(t, v)])])
    _widths(ws, [14, 16, 16, 16, 10, 10, 10, 14])

    # Sheet 3: every finding.
    ws = wb.create_sheet(tr("Findings"))
    # 图斑编号 first (what people look patches up by); the rule's unit and the full patch id at the end.
    _header(ws, [schema.PATCH_FIELD["tuban_no"].label(lang), schema.PATCH_FIELD["township_code"].label(lang),
                 schema.PATCH_FIELD["village_code"].label(lang), tr("Rule code"), _ISSUE["rule"].label(lang), _ISSUE["severity"].label(lang),
                 _ISSUE["value"].label(lang), _ISSUE["other_id"].label(lang), _ISSUE["message"].label(lang), tr("Accepted exception"),
                 tr("Unit"), _ISSUE["patch_id"].label(lang)])
    from openpyxl.styles import Alignment

    wrap = Alignment(wrap_text=True, vertical="top")
    for r in rows:
        t, v = patch_units.get(r["patch_id"], ("", ""))
        pid = r["patch_id"]
        other = r["other_id"]
        ws.append([schema.patch_label(pid, patch_numbers.get(pid)), t, v, r["rule"], rules.rule_label(r["rule"]),
                   schema.SEVERITIES.label(r["severity"], lang), rules.rounded_value(r["rule"], r["value"]),
                   schema.patch_label(other, patch_numbers.get(other)) if other in patch_numbers else other, r["message"], tr("yes") if r["accepted"] else "",
                   rules.unit_label(rules.value_unit(r["rule"])), pid])
        ws.cell(row=ws.max_row, column=7).number_format = rules.number_format(r["rule"])
        ws.cell(row=ws.max_row, column=9).alignment = wrap
    _widths(ws, [20, 12, 15, 18, 30, 8, 14, 22, 80, 10, 6, 38])
    ws.auto_filter.ref = ws.dimensions

    if details is not None:
        # Sheet 4: the pairs behind each finding (patch × parcel, farmland, earlier patch or other patch).
        ws = wb.create_sheet(tr("Pairs"))
        _header(ws, [schema.PATCH_FIELD["tuban_no"].label(lang), tr("Rule code"), _ISSUE["rule"].label(lang),
                     _ISSUE["severity"].label(lang), _ISSUE["value"].label(lang), tr("Unit"),
                     _ISSUE["other_id"].label(lang), _ISSUE["patch_id"].label(lang)])
        for f in details:
            get = f.get if isinstance(f, dict) else (lambda k, d=None, f=f: getattr(f, k, d))
            pid, rule, other = get("patch_id") or "", get("rule"), get("other_id") or ""
            ws.append([schema.patch_label(pid, patch_numbers.get(pid)), rule, rules.rule_label(rule),
                       schema.SEVERITIES.label(get("severity"), lang), rules.rounded_value(rule, get("value")),
                       rules.unit_label(rules.value_unit(rule)),
                       schema.patch_label(other, patch_numbers.get(other)) if other in patch_numbers else other, pid])
            ws.cell(row=ws.max_row, column=5).number_format = rules.number_format(rule)
        _widths(ws, [20, 18, 30, 8, 14, 6, 24, 38])
        ws.auto_filter.ref = ws.dimensions

    info = wb.create_sheet(tr("About"))
    info.append([tr("Title"), title or tr("Check report")])
    info.append([tr("Created"), clock.local_now_text()])
    info.append([tr("Findings"), len(rows)])
    save_workbook(wb, path)  # all or nothing: a full disk keeps the report that was there (OutputFileError)
    return path
