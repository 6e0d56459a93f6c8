"""Live check of a patch when it is saved: findings shown, errors block unless accepted as exceptions with a reason."""

from __future__ import annotations

import importlib
from typing import Any, Callable, Dict, List, Optional, Sequence

from qgis.core import Qgis, QgsFeature, QgsGeometry, QgsMessageLog, QgsVectorLayer
from qgis.gui import QgsAttributeForm, QgsAttributeFormInterface
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, Qt
from qgis.PyQt.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from .. import schema
from ..core import forms
from ..i18n import tr, ui_language
from .common import guarded, working_copy_of

# ask(patch_id, findings) -> None to go back to editing, "" to save (only warnings), or the exception reason.
Ask = Callable[[str, Sequence[Any]], Optional[str]]


def _checks_module(name: str):
    """The check engine's module, or None where shapely is missing (the plugin loads without it and says what to
    install; editing goes on without the live check)."""
    try:
        return importlib.import_module(f"{__package__.rsplit('.', 1)[0]}.core.checks.{name}")
    except ImportError:
        return None


def load_checker(path: str):
    """A LiveChecker for the working copy, or None without a check engine."""
    live = _checks_module("live")
    if live is None or not hasattr(live, "LiveChecker"):
        return None
    try:
        return live.LiveChecker(path)
    except Exception as e:  # a broken checker must not make patches unsaveable
        QgsMessageLog.logMessage(tr("Live check unavailable: {0}").format(e), "Forestry", Qgis.Warning)
        return None


def rule_label(code: str) -> str:
    """The translated name of a check rule (the code itself without a check engine)."""
    rules = _checks_module("rules")
    return rules.rule_label(code) if rules is not None and hasattr(rules, "rule_label") else code


def rule_labels(findings: Sequence[Any]) -> str:
    """The translated names of the findings' rules, each once, for a sentence."""
    return tr(", ").join(rule_label(code) for code in sorted({f.rule for f in findings}))


def open_findings(findings: Sequence[Any]) -> List[Any]:
    """Findings that still count (not already accepted as exceptions)."""
    return [f for f in findings if not getattr(f, "accepted", False)]



def readable(findings: Sequence[Any], numbers: Dict[str, str]) -> List[Any]:
    """The findings, each named by its patch's 图斑编号 (attribute `patch_label`) and with the other patch's id in
    its message replaced by that patch's number (the live check knows only ids)."""
    for f in findings:
        pid = str(getattr(f, "patch_id", "") or "")
        try:
            f.patch_label = schema.patch_label(pid, numbers.get(pid))
            other = str(getattr(f, "other_id", "") or "")
            if other and numbers.get(other):
                f.message = str(f.message).replace(other, numbers[other]).replace(other[:8], numbers[other])
        except AttributeError:  # an immutable finding: shown as it is
            pass
    return list(findings)


def review_many(path: str, items: Sequence[tuple], ask: Ask, checker=None, user=None,
                notify: Optional[Callable[[str], None]] = None,
                numbers: Optional[Dict[str, str]] = None) -> List[str]:
    """Live-check several patches ((patch_id, geometry, attributes) each) and ask once about all their findings;
    return the ids of the patches that may not be saved (empty: save). Every patch with errors this person may
    not accept is reported (`notify`), not only the first; `numbers` (patch_id -> 图斑编号) names the patches."""
    from ..core import identity
    from ..core.checks import store
    from ..core.workflow import load_policy

    checker = checker if checker is not None else load_checker(path)
    if checker is None:
        return []
    numbers = dict(numbers or {})
    checked = []
    for pid, geometry, attrs in items:
        numbers.setdefault(pid, str(schema.plain_value(attrs.get("tuban_no")) or ""))
        findings = open_findings(checker.check_patch(geometry, attrs, pid))
        if findings:
            checked.append((pid, attrs, findings))
    if not checked:
        return []
    pol = load_policy(path)
    user = user or identity.current_user(path, pol.offline_days)
    with_errors = [pid for pid, _a, fs in checked if any(f.severity == "error" for f in fs)]
    blocked = []
    for pid, attrs, findings in checked:
        approval = str(schema.plain_value(attrs.get("approval_no")) or "")
        why = []
        for f in findings:
            if f.severity == "error":
                refusal = pol.exception_refusal(user.role, f.rule, "error", "reason", approval)
                if refusal is not None:
                    why.append(store.refusal_text(refusal, user.role, f.rule))
        if why:
            blocked.append(pid)
            if notify is not None:
                notify(tr("Patch {0} cannot be saved: {1}").format(schema.patch_label(pid, numbers.get(pid)),
                                                                  "; ".join(dict.fromkeys(why))))
    if blocked:
        return with_errors  # no reason typed here can save them: not asked
    every = readable([f for _p, _a, fs in checked for f in fs], numbers)
    title = schema.patch_label(checked[0][0], numbers.get(checked[0][0])) if len(checked) == 1 else \
        ", ".join(schema.patch_label(p, numbers.get(p)) for p, _a, _f in checked)
    answer = ask(title, every)
    if answer is None:
        return [pid for pid, _a, _f in checked]
    if not with_errors:
        return []
    reason = answer.strip()
    if not reason:
        return with_errors  # errors need a reason to be accepted
    try:
        for pid, attrs, findings in checked:
            approval = str(schema.plain_value(attrs.get("approval_no")) or "")
            for f in findings:
                if f.severity == "error":
                    store.accept_exception(path, pid, f.rule, getattr(f, "other_id", None), reason, user,
                                           approval_ref=approval, severity="error", pol=pol)
    except store.ExceptionRefused as e:
        if notify is not None:
            notify(str(e))
        return with_errors
    return []


def review(path: str, patch_id: str, geometry: QgsGeometry, attrs: Dict[str, Any], ask: Ask,
           checker=None, user=None, notify: Optional[Callable[[str], None]] = None) -> bool:
    """Run the live check; return True if the patch may be saved (no errors, or errors accepted with a reason
    by a person the exception policy lets accept them; `user` is an Identity, default the current one)."""
    from ..core import identity
    from ..core.checks import store
    from ..core.workflow import load_policy

    checker = checker if checker is not None else load_checker(path)
    if checker is None:
        return True
    findings = open_findings(checker.check_patch(geometry, attrs, patch_id))
    if not findings:
        return True
    errors = [f for f in findings if f.severity == "error"]
    # Errors this person may not accept (basic farmland never; cropland only a county reviewer with the
    # approval number in 占用耕地审批文号): no reason typed here can save the patch, so say so instead of asking.
    pol = load_policy(path)
    user = user or identity.current_user(path, pol.offline_days)
    approval = str(schema.plain_value(attrs.get("approval_no")) or "")
    blocked = []
    for f in errors:
        refusal = pol.exception_refusal(user.role, f.rule, "error", "reason", approval)
        if refusal is not None:
            blocked.append(store.refusal_text(refusal, user.role, f.rule))
    if blocked:
        if notify is not None:
            notify(tr("Patch {0} cannot be saved: {1}").format(schema.patch_label(patch_id, attrs.get("tuban_no")),
                                                              "; ".join(dict.fromkeys(blocked))))
        return False
    answer = ask(patch_id, findings)
    if answer is None:
        return False
    if not errors:
        return True
    reason = answer.strip()
    if not reason:
        return False  # errors need a reason to be accepted
    try:
        for f in errors:
            store.accept_exception(path, patch_id, f.rule, getattr(f, "other_id", None), reason, user,
                                   approval_ref=approval, severity="error", pol=pol)
    except store.ExceptionRefused as e:
        if notify is not None:
            notify(str(e))
        return False
    return True


class FindingsDialog(QDialog):
    """Lists the findings of every patch being saved (one row each, the patch named by its 图斑编号, messages
    wrapped in full, with tooltips); errors can be accepted as exceptions with a reason."""

    def __init__(self, patch_id: str, findings: Sequence[Any], parent=None):
        super().__init__(parent)
        # patch_id: the patch's 图斑编号 (or the numbers of several patches), or a patch id (shown short)
        title = str(patch_id or "")
        if len(title) == 36 and title.count("-") == 4:
            title = title[:8]
        patches = list(dict.fromkeys(getattr(f, "patch_label", None) or str(getattr(f, "patch_id", "") or "")[:8]
                                     for f in findings))
        if len(patches) > 1:
            self.setWindowTitle(tr("Check findings for {0} patches").format(len(patches)))
        else:
            self.setWindowTitle(tr("Check findings for patch {0}").format(title))
        self.setObjectName("ForestryFindingsDialog")
        lang = ui_language()
        errors = [f for f in findings if f.severity == "error"]
        layout = QVBoxLayout(self)
        intro = QLabel(tr("{0} error(s), {1} warning(s). Errors block the save unless you accept them as "
                          "exceptions with a reason.").format(len(errors), len(findings) - len(errors)))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        table = QTableWidget(len(findings), 4, self)
        table.setHorizontalHeaderLabels([tr("Severity"), tr("Rule"), tr("Patch no."), tr("Message")])
        table.setWordWrap(True)
        table.setTextElideMode(Qt.ElideNone)
        for r, f in enumerate(findings):
            table.setItem(r, 0, QTableWidgetItem(schema.SEVERITIES.label(f.severity, lang)))
            rule = QTableWidgetItem(rule_label(f.rule))
            rule.setToolTip(f.rule)  # the stable code, as in reports and the platform's messages
            table.setItem(r, 1, rule)
            label = getattr(f, "patch_label", None) or str(getattr(f, "patch_id", "") or "")[:8] or title
            table.setItem(r, 2, QTableWidgetItem(label))
            message = QTableWidgetItem(str(f.message))
            message.setToolTip(str(f.message))
            table.setItem(r, 3, message)
        header = table.horizontalHeader()
        for col in (0, 1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.Stretch)
        table.resizeRowsToContents()
        header.sectionResized.connect(lambda *_a: table.resizeRowsToContents())  # re-wrap when widened
        self.table = table
        layout.addWidget(table)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(tr("Reason for accepting the errors as exceptions"))
        self.reason.setVisible(bool(errors))
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox(self)
        self.save = self.buttons.addButton(tr("Accept as exceptions and save") if errors else tr("Save"),
                                           QDialogButtonBox.AcceptRole)
        self.buttons.addButton(tr("Back to editing"), QDialogButtonBox.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if errors:
            self.save.setEnabled(False)
            self.reason.textChanged.connect(lambda t: self.save.setEnabled(bool(t.strip())))
        self.resize(820, 420)


def ask_with_dialog(parent=None) -> Ask:
    """An `ask` callback that shows FindingsDialog."""

    def ask(patch_id: str, findings: Sequence[Any]) -> Optional[str]:
        dlg = FindingsDialog(patch_id, findings, parent)
        if dlg.exec_() != QDialog.Accepted:
            return None
        return dlg.reason.text()

    return ask


# report(patch_id, findings): tell the user about a patch's open findings (message bar in QGIS)
Report = Callable[[str, Sequence[Any]], None]
# complete(layer, geometry, attributes) -> the attributes with what the plugin fills in after the save
Complete = Callable[[QgsVectorLayer, QgsGeometry, Dict[str, Any]], Dict[str, Any]]


class LiveCheckInterface(QgsAttributeFormInterface):
    """Runs the live check when an attribute form of a patch saves, and reports the findings.

    It never refuses the save: when an interface returns False from acceptChanges, QGIS still closes the form
    and silently drops its changes (in add mode, the new feature with them). Unaccepted errors are stopped
    later, by "Check and save", which keeps the edits in the buffer until they are fixed or accepted.
    """

    def __init__(self, form: QgsAttributeForm, layer: QgsVectorLayer, checker_for: Callable[[str], Any],
                 report: Report, complete: Optional[Complete] = None):
        super().__init__(form)
        self.layer = layer
        self.checker_for = checker_for
        self.report = report
        self.complete = complete

    def acceptChanges(self, feature: QgsFeature) -> bool:  # noqa: N802 (QGIS API name)
        try:
            path = working_copy_of(self.layer)
            checker = self.checker_for(path) if path else None
            if checker is None or feature.geometry().isEmpty():
                return True
            attrs = {name: feature[name] for name in feature.fields().names()}  # check_patch takes them as they are
            if self.complete is not None:  # a new patch gets its admin codes and area after the form saved it
                attrs = self.complete(self.layer, feature.geometry(), attrs)
            pid = str(schema.plain_value(attrs.get("patch_id")) or "")
            findings = open_findings(checker.check_patch(feature.geometry(), attrs, pid))
            if findings:
                self.report(pid, findings)
        except Exception as e:  # a failing check must never cost the user the form's edits
            QgsMessageLog.logMessage(tr("Live check failed: {0}").format(e), "Forestry", Qgis.Warning)
        return True


class _FocusFormWatcher(QObject):
    """Finds every attribute form of a watched layer as it opens and hands it to `attach`.

    QGIS's own tools (add feature, identify, attribute table) build their forms in C++. A form gets the keyboard
    focus when it opens (its first field) and before the user can save it, so QApplication.focusChanged sees
    every form in time. (Python init code in the layer's form config would write code into the user's project
    and blocks forms opened from Python on QGIS 3.22; an application-wide event filter crashes QGIS at start.)
    """

    def __init__(self, is_watched: Callable[[QgsVectorLayer], bool], parent=None):
        super().__init__(parent)
        self.is_watched = is_watched
        self._installed = False

    @guarded
    def _on_focus(self, _old, new) -> None:
        try:
            w = new
            while w is not None:
                if w.metaObject().className() == "QgsAttributeForm":
                    # forms built by QGIS in C++ reach Python as plain QWidgets: cast to reach the form API
                    self.attach(w if isinstance(w, QgsAttributeForm) else sip.cast(w, QgsAttributeForm))
                    return
                w = w.parentWidget()
        except RuntimeError:  # a widget deleted meanwhile
            pass

    def attach(self, form):
        raise NotImplementedError

    def install(self) -> None:
        if not self._installed:
            QApplication.instance().focusChanged.connect(self._on_focus)
            self._installed = True

    def remove(self) -> None:
        if self._installed:
            try:
                QApplication.instance().focusChanged.disconnect(self._on_focus)
            except (TypeError, RuntimeError):
                pass
            self._installed = False


class FormWatcher(_FocusFormWatcher):
    """Adds the live check to every attribute form of a watched patch layer."""

    PROPERTY = "forestry_live_check"

    def __init__(self, is_watched: Callable[[QgsVectorLayer], bool], checker_for: Callable[[str], Any],
                 report: Report, parent=None, complete: Optional[Complete] = None):
        super().__init__(is_watched, parent)
        self.checker_for = checker_for
        self.report = report
        self.complete = complete
        # C++ address of a form -> (its Python wrapper, the interface). A form QGIS built in C++ reaches Python as a
        # temporary wrapper (the sip.cast below) and addInterface hands the interface's Python half to that wrapper:
        # once it was collected QGIS called the plain C++ acceptChanges and the live check never ran. Kept here
        # until the form is destroyed.
        self._attached: Dict[int, tuple] = {}

    def attach(self, form) -> bool:
        """Add the live-check interface to one form (once); True if the form got it now."""
        if not isinstance(form, QgsAttributeForm) or form.property(self.PROPERTY):
            return False
        layer = form.layer()
        if not isinstance(layer, QgsVectorLayer) or not self.is_watched(layer):
            return False
        interface = LiveCheckInterface(form, layer, self.checker_for, self.report, self.complete)
        form.addInterface(interface)  # the form deletes it (C++); its Python half lives in self._attached
        form.setProperty(self.PROPERTY, True)
        key = sip.unwrapinstance(form)
        # (a form made in Python keeps its own wrapper: holding it here would keep the form alive)
        self._attached[key] = (None if sip.ispyowned(form) else form, interface)
        form.destroyed.connect(lambda *_a, k=key: self._attached.pop(k, None))
        return True

    def attached_forms(self) -> int:
        """How many open forms have the live check (tests)."""
        return len(self._attached)

    def remove(self) -> None:
        super().remove()
        self._attached.clear()  # forms still open lose the live check with the plugin


class MissingFieldsNotice(_FocusFormWatcher):
    """A line at the top of a patch attribute form naming the fields that keep OK disabled, and their tab.

    QGIS marks a failing constraint only beside its widget, on its own tab: with the field on another tab the OK
    button is disabled for no visible reason. Forms are found as FormWatcher finds them: a form gets the keyboard
    focus when it opens (Python init code would be written into the user's project)."""

    PROPERTY = "forestry_missing_notice"
    OBJECT_NAME = "forestryMissingFieldsNotice"

    def attach(self, form):
        """Add the notice to one form of a watched layer (once); the label, or None."""
        from qgis.gui import QgsAttributeEditorContext, QgsAttributeForm
        from qgis.PyQt.QtWidgets import QBoxLayout, QGridLayout, QLabel

        if not isinstance(form, QgsAttributeForm) or form.property(self.PROPERTY):
            return None
        layer = form.layer()
        if not isinstance(layer, QgsVectorLayer) or not self.is_watched(layer):
            return None
        label = QLabel(form)
        label.setObjectName(self.OBJECT_NAME)
        label.setWordWrap(True)
        label.setStyleSheet("QLabel { color: #b00020; padding: 2px; }")
        grid = form.layout()
        if isinstance(grid, QGridLayout):
            # QGIS lays the form out in a grid: put the notice in a new first row above it
            items = [(grid.itemAt(i), grid.getItemPosition(i)) for i in range(grid.count())]
            for item, _pos in items:
                grid.removeItem(item)
            grid.addWidget(label, 0, 0, 1, max(1, grid.columnCount()))
            for item, (r, c, rs, cs) in items:
                grid.addItem(item, r + 1, c, rs, cs)
        elif isinstance(grid, QBoxLayout):
            grid.insertWidget(0, label)
        form.setProperty(self.PROPERTY, True)

        def update(*_args) -> None:
            if sip.isdeleted(form) or sip.isdeleted(label):
                return
            text = ""
            if form.mode() not in (QgsAttributeEditorContext.SearchMode, QgsAttributeEditorContext.MultiEditMode,
                                   QgsAttributeEditorContext.AggregateSearchMode) and layer.isEditable():
                text = forms.missing_fields_text(forms.missing_fields(layer, form.currentFormFeature()))
            label.setText(text)
            label.setVisible(bool(text))

        form.widgetValueChanged.connect(update)
        form.modeChanged.connect(update)
        form.featureSaved.connect(update)
        update()
        return label


def notice_label(form) -> Optional[object]:
    """The missing-fields notice of a form, or None (tests)."""
    from qgis.PyQt.QtWidgets import QLabel

    return form.findChild(QLabel, MissingFieldsNotice.OBJECT_NAME)
