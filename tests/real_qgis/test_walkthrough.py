"""A walkthrough per role in a real QGIS 3.22 window in Chinese, against the reference platform on 127.0.0.1.

Run by pytest, each test prepares the sample county working copy, starts the reference platform in this process
(the operator has imported the county's patches), installs the packaged plugin zip into a fresh profile set to
中文(简体) the way QGIS's Options dialog stores it (locale/userLocale=zh-Hans, locale/overrideFlag=true), and starts
`xvfb-run qgis.bin --code <this file>`. Inside QGIS the same file then works as the user does: the working copy
is opened with the working-copy dock's 打开… button and QGIS's file dialog, a Basic authentication configuration
holds the account, the sync panel logs in and downloads, and then each role does its job with QGIS's own tools
and the plugin's dock buttons:

- contractor: digitizes a new patch with QGIS's Add Feature map tool, fills QGIS's attribute form, presses OK
  (the live check's note appears in the message bar), saves with QGIS's Save Layer Edits, uploads;
- county technician: runs the checks from the checks dock (a task), exports the Excel check report through the
  file dialog, moves a clean design patch to 造林验收 in the review dock, uploads;
- county and city reviewers: the review dock shows who they are and their queue; they confirm one patch and
  return another with a reason and a typed comment, then upload.

Every step waits for a condition (a task finished, a label changed, a dialog shown) with a generous deadline
and says what it waited for when the deadline passes. The screenshots of the whole window go to
test-artifacts/walkthrough_<role>.png (the README shows copies in docs/screenshots/). After QGIS has exited, the test reads what the platform holds.
"""

from __future__ import annotations

import json
import os
import sys

ROLE_ENV, STATUS_ENV, ROOT_ENV, PLAN_ENV = ("FORESTRY_WALK_ROLE", "FORESTRY_WALK_STATUS", "FORESTRY_WALK_ROOT",
                                            "FORESTRY_WALK_PLAN")
if os.environ.get(ROOT_ENV):  # inside QGIS (qgis --code exec()s this file without __file__): from the environment
    ROOT = os.environ[ROOT_ENV]
else:
    from tests.helpers import ROOT
SHOTS = os.path.join(ROOT, "test-artifacts")  # docs/screenshots/ holds copies of a run, committed by hand
PASSWORD = "demo-pass-2025"
COUNTY = "339901"
ACCOUNTS = {"contractor": "demo_contractor", "technician": "demo_tech", "county": "demo_county",
            "city": "demo_city"}
# what the contractor chooses in the attribute form (code values of the value-map widgets)
DESIGN = {"method": "planting", "forest_type": "protection", "species": "camphor"}
COMMENT = "东侧边界与设计不符，请按现场重新勾绘"
# Latin words a Chinese dock may show: names, formats, product names, the platform's address.
# Qt's and QGIS's own strings, not the plugin's: QGIS 3.22 set to zh-Hans looks for qt_zh-Hans.qm, which Qt does
# not ship (it has qt_zh_CN.qm), so Qt's standard buttons and file dialogs stay English in a Chinese QGIS.
QT_OWN = ("Cancel", "OK", "(NULL)", "Open", "Save", "Close", "Apply")
# (Basic: QGIS's name of the authentication method, shown after the configuration's name.)
ALLOWED_LATIN = ("demo_", "http", "Excel", "QGIS", "GIS", "GeoPackage", "REST", "WFS", "XYZ", "mu", "api", "Basic")


def _in_qgis() -> None:  # pragma: no cover - runs inside qgis.bin
    import gc
    import re
    import time
    import traceback

    from qgis.core import QgsApplication, QgsPointXY, QgsProject, QgsRectangle
    from qgis.PyQt.QtCore import QPoint, Qt, QTimer
    from qgis.PyQt.QtTest import QTest
    from qgis.PyQt.QtWidgets import (
        QAbstractButton,
        QApplication,
        QComboBox,
        QDialogButtonBox,
        QDockWidget,
        QFileDialog,
        QGroupBox,
        QLabel,
        QLineEdit,
        QTableWidget,
        QTreeWidget,
    )
    from qgis.utils import iface, plugins

    role = os.environ[ROLE_ENV]
    with open(os.environ[PLAN_ENV], encoding="utf-8") as fh:
        plan = json.load(fh)
    status = {"ok": False, "role": role, "steps": [], "messages": []}
    win = iface.mainWindow()

    def finish():
        with open(os.environ[STATUS_ENV], "w", encoding="utf-8") as fh:
            json.dump(status, fh, ensure_ascii=False, indent=1)
        os._exit(0)  # no "save the project?" question; QGIS has written its settings already

    class Timeout(Exception):
        pass

    def step(name):
        status["steps"].append(name)

    def pump(seconds=0.0):
        end = time.monotonic() + seconds
        while True:
            QgsApplication.processEvents()
            if time.monotonic() >= end:
                return
            time.sleep(0.02)

    def wait(cond, what, timeout=90.0):
        """Let QGIS run until cond() is true; fail saying what did not happen."""
        deadline = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > deadline:
                raise Timeout(f"waited {timeout:.0f} s for {what}")
            QgsApplication.processEvents()
            time.sleep(0.02)

    class DialogHandler:
        """Waits (in every event loop, modal ones included) for a top-level dialog and acts on it once."""

        def __init__(self, match, act, what, timeout=60.0):
            self.match, self.act, self.what = match, act, what
            self.done, self.error, self.result = False, None, None
            self.deadline = time.monotonic() + timeout
            self.timer = QTimer()
            self.timer.setInterval(50)
            self.timer.timeout.connect(self._poll)
            self.timer.start()

        def _poll(self):
            found = [w for w in QApplication.topLevelWidgets() if w.isVisible() and self.match(w)]
            if not found and time.monotonic() < self.deadline:
                return
            self.timer.stop()
            if not found:
                self.error = f"{self.what} never opened"
                return
            try:
                self.result = self.act(found[0])
            except Exception as e:  # noqa: BLE001 - reported by check()
                self.error = f"{self.what}: {e}\n{traceback.format_exc()}"
                status["dialog_errors"] = status.get("dialog_errors", []) + [self.error]
                if hasattr(found[0], "reject"):
                    found[0].reject()  # the flow goes on and reports
            self.done = True

        def check(self):
            wait(lambda: self.done or self.error, self.what)
            if self.error:
                raise Timeout(self.error)
            return self.result

    def is_file_dialog(w):
        return isinstance(w, QFileDialog)

    def type_file_name(path):
        def act(dlg):
            edit = dlg.findChild(QLineEdit, "fileNameEdit")
            if edit is None:
                raise RuntimeError("the file dialog has no file name field (a native dialog?)")
            pump(0.2)  # the dialog settles (it fills its file name field as it opens)
            edit.setFocus()
            edit.setText(path)  # pasted in full: no completion popup wanted
            pump(0.1)
            if edit.text() != path:
                raise RuntimeError(f"the file name field says {edit.text()!r}")
            box = dlg.findChild(QDialogButtonBox, "buttonBox")
            accept = next(b for b in box.buttons() if box.buttonRole(b) == QDialogButtonBox.AcceptRole)
            title = dlg.windowTitle()
            QTest.mouseClick(accept, Qt.LeftButton)  # Open / Save
            return title
        return act

    def click(button, what):
        if not button.isVisible() or not button.isEnabled():
            raise Timeout(f"{what} ({button.text()!r}) is not clickable: visible={button.isVisible()}, "
                          f"enabled={button.isEnabled()}, tooltip={button.toolTip()!r}")
        QTest.mouseClick(button, Qt.LeftButton)

    def click_row(table, row):
        item = table.item(row, 0)
        table.scrollToItem(item)
        pump()
        QTest.mouseClick(table.viewport(), Qt.LeftButton, Qt.NoModifier, table.visualItemRect(item).center())

    def choose(combo, code, what):
        index = combo.findData(code)
        if index < 0:
            raise Timeout(f"{what}: no item {code!r} in {[combo.itemText(i) for i in range(combo.count())]}")
        combo.setCurrentIndex(index)
        return combo.itemText(index)

    def plain(html_text):
        return re.sub(r"<[^>]+>", "", html_text or "").replace("&gt;", ">").replace("&lt;", "<").replace(
            "&amp;", "&")

    def latin_words(text):
        text = re.sub(r"https?://\S+|(/[\w.\-]+)+", "", text or "")  # addresses and file paths
        for allowed in ALLOWED_LATIN:
            text = re.sub(re.escape(allowed) + r"\w*", "", text)
        return re.findall(r"[A-Za-z]{3,}", text)

    def english_in(widget, where):
        """Visible texts of a dock or dialog that hold English words: untranslated strings."""
        found = []

        def note(kind, text):
            if latin_words(text) and text not in QT_OWN:
                found.append(f"{where} / {kind}: {text}")

        note("title", widget.windowTitle())
        for w in widget.findChildren(QLabel):
            if w.isVisibleTo(widget):
                note("label", plain(w.text()))
        for w in widget.findChildren(QAbstractButton):
            if w.isVisibleTo(widget):
                note("button", w.text())
                note("tooltip", w.toolTip())
        for w in widget.findChildren(QGroupBox):
            if w.isVisibleTo(widget):
                note("group", w.title())
        for w in widget.findChildren(QComboBox):
            if w.isVisibleTo(widget):
                for i in range(w.count()):
                    note("combo item", w.itemText(i))
        for w in widget.findChildren(QLineEdit):
            if w.isVisibleTo(widget):
                note("placeholder", w.placeholderText())
        for w in widget.findChildren(QTableWidget):
            if w.isVisibleTo(widget):
                for c in range(w.columnCount()):
                    h = w.horizontalHeaderItem(c)
                    note("column", h.text() if h else "")
        for w in widget.findChildren(QTreeWidget):
            if w.isVisibleTo(widget):
                note("column", " ".join(w.headerItem().text(c) for c in range(w.columnCount())))
        return found

    def message_texts():
        return [f"{title}: {text}" for title, text in status["messages"]]

    def wait_message(pattern, what, timeout=60.0):
        wait(lambda: any(re.search(pattern, m) for m in message_texts()), f"a message bar note {what} "
             f"(notes so far: {message_texts()})", timeout)
        return next(m for m in message_texts() if re.search(pattern, m))

    def shoot():
        canvas = iface.mapCanvas()
        pump(1.6)  # cosmetic only: the review dock's flash of the current patch (3 x 250 ms) is over
        wait(lambda: not canvas.isDrawing(), "the map canvas to finish drawing", 60)
        pump(0.5)
        out = os.path.join(SHOTS, f"walkthrough_{role}.png")
        os.makedirs(SHOTS, exist_ok=True)
        win.grab().save(out)
        status["screenshot"] = out
        status["window"] = [win.width(), win.height()]
        status["status_bar"] = iface.statusBarIface().currentMessage()  # QGIS's own note on the selection
        status["english"] = sorted({t for d in docks_shown() for t in english_in(d, d.objectName())})

    def docks_shown():
        return [d for d in win.findChildren(QDockWidget) if d.objectName().startswith("Forestry") and d.isVisible()]

    def run():
        try:
            walk()
            status["ok"] = True
        except Exception as e:  # noqa: BLE001 - reported in the status file, never an open error dialog
            status["error"] = f"{e}\n{traceback.format_exc()}"
            try:
                win.grab().save(os.path.join(os.path.dirname(os.environ[STATUS_ENV]), "failed.png"))
            except Exception:  # noqa: BLE001
                pass
        finish()

    def walk():
        bar = iface.messageBar()
        from qgis.gui import QgsMessageBarItem
        from qgis.PyQt import sip

        def noted(widget):
            item = sip.cast(widget, QgsMessageBarItem)
            status["messages"].append([item.title(), item.text()])

        bar.widgetAdded.connect(noted)
        win.setGeometry(0, 0, 1600, 1000)  # Xvfb has no window manager to maximize it
        win.showMaximized()
        plugin = plugins.get("forestry_plugin")
        if plugin is None:
            raise Timeout(f"the installed plugin is not loaded: {sorted(plugins)}")
        import forestry_plugin
        from forestry_plugin import schema
        from forestry_plugin.core import geopackage
        from forestry_plugin.core.sync.auth import store_basic_config
        from forestry_plugin.gui.common import find_layer

        status["plugin_dir"] = os.path.dirname(forestry_plugin.__file__)
        comps = {type(c).__name__: c for c in plugin.components}
        project_dock = comps["ProjectDockComponent"].dock
        panel = comps["SyncPanelComponent"].dock
        review = comps["WorkflowDockComponent"].dock
        checks = comps["ChecksDockComponent"].dock
        editing = comps["EditingComponent"]
        toolbar_texts = [a.text() for a in plugin.toolbar.actions()] if plugin.toolbar else []
        status["toolbar"] = toolbar_texts
        # the plugin means the review dock to share a tab with the working-copy dock
        status["tabified_at_start"] = sorted(d.objectName() for d in win.tabifiedDockWidgets(project_dock))

        def arrange(front, left=430):
            """The docks as a user lays them out for the job: the sync panel and the checks on the left (tabs
            beside QGIS's browser), the working copy and the review on the right (tabs)."""
            browser = win.findChild(QDockWidget, "Browser")
            for d in (panel, checks):
                win.addDockWidget(Qt.LeftDockWidgetArea, d)
                d.show()
                if browser is not None:
                    win.tabifyDockWidget(browser, d)
            if review not in win.tabifiedDockWidgets(project_dock):
                win.tabifyDockWidget(project_dock, review)
            review.show()
            for d in front:
                d.raise_()
            win.setGeometry(0, 0, 1600, 1000)
            pump(0.1)
            lefts = [d for d in (browser, panel, checks) if d is not None]
            win.resizeDocks(lefts + [review], [left] * len(lefts) + [420], Qt.Horizontal)  # room for the map
            pump(0.2)
        wc = plan["working_copy"]

        # -- open the working copy: 打开… in the working-copy dock, QGIS's file dialog
        project_dock.show()
        project_dock.raise_()
        dialog = DialogHandler(is_file_dialog, type_file_name(wc), "the file dialog of 打开…")
        click(project_dock.open_button, "the working-copy dock's Open button")
        status["open_dialog_title"] = dialog.check()
        wait(lambda: find_layer(wc, schema.PATCHES) is not None and project_dock._opening is None
             and project_dock.task is None, "the working copy's layers to be added and summarized")
        patches = find_layer(wc, schema.PATCHES)
        status["project_dock"] = {"path": project_dock.path_label.text(), "county": project_dock.county_label.text(),
                                  "rows": project_dock.table.rowCount()}
        status["layer_names"] = sorted(lyr.name() for lyr in QgsProject.instance().mapLayers().values())
        step("opened")

        # -- log in through the sync panel with a QgsAuthManager Basic configuration
        manager = QgsApplication.authManager()
        if not manager.masterPasswordIsSet():
            manager.setMasterPassword("walkthrough-master", True)
        authcfg = store_basic_config("省级平台（演示）", ACCOUNTS[role], PASSWORD)
        panel.show()
        panel.raise_()
        panel.url_edit.selectAll()
        QTest.keyClicks(panel.url_edit, plan["url"])
        QTest.keyClick(panel.url_edit, Qt.Key_Tab)
        panel.auth_select.setConfigId(authcfg)
        click(panel.login_button, "登录")
        wait(lambda: panel.login_task is None, "the login task to finish")
        status["user_label"] = panel.user_label.text()
        if not panel.download_button.isEnabled():
            raise Timeout(f"not logged in: {panel.user_label.text()!r}; notes: {message_texts()}")
        step("logged in")
        arrange([panel, project_dock])

        # -- download
        click(panel.download_button, "下载")
        wait(lambda: panel.task is None, "the download task to finish", 120)
        status["download_note"] = wait_message(r"已下载", "saying what was downloaded")
        status["changes_after_download"] = panel.changes_label.text()
        step("downloaded")

        def upload():
            click(panel.upload_button, "上传")
            wait(lambda: panel.task is None, "the upload task to finish", 120)
            status["upload_note"] = wait_message(r"已上传", "saying what was uploaded")
            status["summary_label"] = panel.summary_label.text()
            status["changes_after_upload"] = panel.changes_label.text()
            step("uploaded")

        def read_review():
            return {"identity": plain(review.identity_label.text()), "queue_label": review.queue_label.text(),
                    "queue": [q["patch_id"] for q in review.queue],
                    "rows": [[review.queue_table.item(r, c).text() for c in range(review.queue_table.columnCount())]
                             for r in range(min(review.queue_table.rowCount(), 5))]}

        def go_to_patch(pid):
            ids = [q["patch_id"] for q in review.queue]
            if pid not in ids:
                raise Timeout(f"patch {pid} is not in the queue of {ACCOUNTS[role]} ({len(ids)} patches)")
            click_row(review.queue_table, ids.index(pid))
            wait(lambda: review.current is not None and review.current["patch_id"] == pid,
                 f"the review dock to show patch {pid} after the click on its row")

        def confirm(pid, target):
            go_to_patch(pid)
            shown = choose(review.target_combo, target, "the 确认 target")
            info = plain(review.info_label.text())
            review.last_report = None
            click(review.confirm_button, "确认")
            wait(lambda: review.last_report is not None, "the move to be made")
            report = review.last_report
            return {"patch": pid, "target_text": shown, "info": info, "applied": report.changed if report.applied else 0,
                    "refused": [r.message for res in report.refused for r in res.refusals],
                    "note": wait_message(r"林业审核", "of the review dock")}

        def give_back(pid, reason):
            go_to_patch(pid)
            reason_text = choose(review.reason_combo, reason, "the return reason")
            back_to = review.return_stage_combo.currentData()
            back_text = review.return_stage_combo.currentText()
            review.comment_edit.setFocus()
            # Chinese comes from the input method as a committed string (QTest can only type ASCII keys)
            from qgis.PyQt.QtGui import QInputMethodEvent

            typing = QInputMethodEvent()
            typing.setCommitString(COMMENT)
            QApplication.sendEvent(review.comment_edit, typing)
            typed = review.comment_edit.text()
            review.last_report = None
            click(review.return_button, "退回")
            wait(lambda: review.last_report is not None, "the return to be made")
            report = review.last_report
            return {"patch": pid, "reason_text": reason_text, "back_to": back_to, "back_text": back_text,
                    "typed": typed, "applied": report.changed if report.applied else 0,
                    "refused": [r.message for res in report.refused for r in res.refusals]}

        canvas = iface.mapCanvas()
        if role == "contractor":
            # -- the contractor closes the review and working-copy docks (nothing to review): the map gets the room
            review.close()
            project_dock.close()
            # -- QGIS's own editing: toggle editing, Add Feature, clicks on the map, the attribute form, OK
            iface.setActiveLayer(patches)
            iface.actionToggleEditing().trigger()
            wait(lambda: patches.isEditable(), "the patches layer to be editable")
            wait(lambda: editing._checkers.get(wc) is not None, "the live check to be prepared", 120)
            x0, y0, x1, y1 = plan["square"]
            canvas.setExtent(QgsRectangle(x0 - 250, y0 - 180, x1 + 250, y1 + 180))
            canvas.refresh()
            wait(lambda: not canvas.isDrawing(), "the canvas to draw the patch's surroundings")
            iface.actionAddFeature().trigger()
            tool = canvas.mapTool()
            status["map_tool"] = type(tool).__name__ if tool else None
            status["qgis_add_feature_tool"] = tool is not None and tool.action() is iface.actionAddFeature()
            del tool
            viewport = canvas.viewport()

            def pixel(x, y):
                p = canvas.getCoordinateTransform().transform(QgsPointXY(x, y))
                return QPoint(int(round(p.x())), int(round(p.y())))

            before = {str(f["patch_id"]) for f in patches.getFeatures()}

            def fill_and_ok(dlg):
                form = attribute_form(dlg)
                for name, value in DESIGN.items():
                    form.changeAttribute(name, value)
                pump(0.2)
                ok = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok)
                info = {"title": dlg.windowTitle(), "ok_enabled": ok.isEnabled(),
                        "english": english_in(dlg, "attribute form")}
                if not ok.isEnabled():
                    from forestry_plugin.gui.edit_live import notice_label

                    label = notice_label(form)
                    raise RuntimeError(f"OK is disabled: {label.text() if label is not None else '?'}")
                gc.collect()  # the temporary wrapper of QGIS's form is gone: the live check must still run
                QTest.mouseClick(ok, Qt.LeftButton)
                return info

            def attribute_form(dlg):
                from qgis.gui import QgsAttributeForm
                from qgis.PyQt import sip
                from qgis.PyQt.QtWidgets import QWidget

                forms = [w for w in dlg.findChildren(QWidget) if w.metaObject().className() == "QgsAttributeForm"]
                return sip.cast(forms[0], QgsAttributeForm) if forms else None

            form = DialogHandler(lambda w: w.metaObject().className() == "QgsAttributeDialog"
                                 and attribute_form(w) is not None, fill_and_ok,
                                 "QGIS's attribute form of the new patch")
            corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
            for x, y in corners:
                QTest.mouseMove(viewport, pixel(x, y))
                QTest.mouseClick(viewport, Qt.LeftButton, Qt.NoModifier, pixel(x, y))
            QTest.mouseClick(viewport, Qt.RightButton, Qt.NoModifier, pixel(*corners[-1]))  # QGIS opens the form
            status["form"] = form.check()
            wait(lambda: patches.featureCount() == len(before) + 1, "the new patch in the edit buffer")
            new = [f for f in patches.getFeatures() if str(f["patch_id"]) not in before]
            status["new_patch"] = {"patch_id": str(new[0]["patch_id"]), "tuban_no": str(new[0]["tuban_no"]),
                                   "stage": str(new[0]["stage"]), "area_mu": new[0]["area_mu"]}
            status["live_note"] = wait_message(r"图斑 .*个检查错误", "of the live check")
            patches.selectByIds([new[0].id()])
            step("digitized")
            shoot()
            # -- QGIS's Save Layer Edits, then upload
            iface.actionSaveActiveLayerEdits().trigger()
            wait(lambda: not patches.isModified(), "the edits to be saved")
            wait(lambda: "新增 1" in panel.changes_label.text(), "the sync panel to count the new patch "
                 f"(it says {panel.changes_label.text()!r})", 30)
            status["changes_before_upload"] = panel.changes_label.text()
            upload()
        elif role == "technician":
            # -- checks dock: whole layer, 运行质检 (a task), findings, Excel
            arrange([checks, project_dock], left=540)  # the findings' messages and values need the width
            choose(checks.scope, "layer", "the check scope")
            click(checks.run_button, "运行质检")
            wait(lambda: checks.task is not None or checks.run_button.isEnabled(), "the check task to start")
            wait(lambda: checks.task is None, "the check task to finish", 150)
            status["check_note"] = wait_message(r"已质检 \d+ 个图斑", "with the check result")
            tree = checks.tree
            status["groups"] = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
            status["findings"] = len(checks.findings)
            first = tree.topLevelItem(0).child(0) if tree.topLevelItemCount() else None
            status["first_finding"] = [first.text(c) for c in range(3)] if first is not None else None
            for i in range(min(2, tree.topLevelItemCount())):
                tree.expandItem(tree.topLevelItem(i))  # the user opens the first groups
            xlsx = plan["xlsx"]
            dialog = DialogHandler(is_file_dialog, type_file_name(xlsx), "the file dialog of Excel…")
            click(checks.export_button, "Excel…")
            status["excel_dialog_title"] = dialog.check()
            wait(lambda: os.path.exists(xlsx), f"the check report {xlsx}")
            step("checked")
            # -- review dock: the clean patch with its acceptance survey to 造林验收
            arrange([checks, review], left=540)
            status["review"] = read_review()
            status["confirm"] = confirm(plan["confirm"], "accepted")
            status["after"] = read_review()
            step("moved")
            shoot()
            upload()
            status["final"] = read_review()
        else:
            arrange([panel, review])
            status["review"] = read_review()
            target = "confirmed" if role == "county" else "city_verified"
            status["confirm"] = confirm(plan["confirm"], target)
            status["return"] = give_back(plan["return"], "location_mismatch")
            status["return_note"] = wait_message(r"林业审核: .*已退回", "about the return")
            status["after"] = read_review()
            step("reviewed")
            upload()
            if plan["confirm"] in [q["patch_id"] for q in review.queue]:
                go_to_patch(plan["confirm"])  # its history shows the move
            arrange([panel, review])
            status["final"] = read_review()
            status["final_info"] = plain(review.info_label.text())
            status["history"] = [[review.history_table.item(r, c).text() for c in range(2)]
                                 for r in range(review.history_table.rowCount())]
            shoot()
        status["messages_text"] = message_texts()
        status["geopackage_stages"] = {a["patch_id"]: a["stage"] for _f, a, _g in geopackage.read_features(
            wc, schema.PATCHES, ["patch_id", "stage"]) if a["patch_id"] in plan.get("watch", [])}

    def watchdog():
        """Still running long after every deadline: a modal dialog nobody expected holds QGIS; say which."""
        from qgis.PyQt.QtWidgets import QTextEdit

        windows = [f"{w.metaObject().className()} {w.windowTitle()!r}: " + " ".join(
            t.toPlainText()[:1500] for t in w.findChildren(QTextEdit)) for w in QApplication.topLevelWidgets()
            if w.isVisible() and w is not win]
        status["error"] = "watchdog: still running after the steps {0}; windows open: {1}; notes: {2}".format(
            status["steps"], windows, message_texts())
        try:
            from qgis.PyQt.QtGui import QGuiApplication

            QGuiApplication.primaryScreen().grabWindow(0).save(
                os.path.join(os.path.dirname(os.environ[STATUS_ENV]), "stuck.png"))
        except Exception:  # noqa: BLE001
            pass
        finish()

    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(watchdog)
    guard.start(int(float(os.environ.get("FORESTRY_WALK_WATCHDOG_S", "150")) * 1000))
    globals()["_walk_guard"] = guard  # kept alive for the whole run
    QTimer.singleShot(0, run)  # inside QGIS's event loop, so that tasks report and timers fire


if os.environ.get(STATUS_ENV) and "qgis.utils" in sys.modules:  # pragma: no cover
    _in_qgis()


# -- the pytest side ------------------------------------------------------------------------------------------
import re  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402

import pytest  # noqa: E402

try:
    from tests.helpers import qgis_window, script  # not inside QGIS, where this part only defines functions
except ImportError:  # pragma: no cover - inside qgis.bin
    qgis_window = None

pytestmark = pytest.mark.skipif(qgis_window is None or not qgis_window.available(),
                                reason="needs xvfb-run and /usr/bin/qgis.bin")


@pytest.fixture(scope="module")
def plugin_build(tmp_path_factory):
    """The packaged plugin zip (validated as plugins.qgis.org does) and its Chinese translation compiled from the
    current i18n/*.ts (what `make package` ships after `make translations`)."""
    package = script("package")
    out = tmp_path_factory.mktemp("zip")
    zip_path = package.build(str(out / "forestry_plugin.zip"))
    assert package.validate(zip_path) == []
    lrelease = next((p for p in ("/usr/bin/lrelease", "/usr/lib/qt5/bin/lrelease") if os.path.exists(p)), None)
    qm = None
    if lrelease:
        qm = str(out / "forestry_plugin_zh_CN.qm")
        subprocess.run([lrelease, "-silent", os.path.join(ROOT, "i18n", "forestry_plugin_zh_CN.ts"), "-qm", qm],
                       check=True)
    return zip_path, qm


def chinese_profile(tmp_path, plugin_build) -> str:
    """A fresh --profiles-path with the zip installed and enabled and QGIS set to 中文(简体) in its Options."""
    package = script("package")
    zip_path, qm = plugin_build
    root = tmp_path / "qgis-config"
    profile = root / "profiles" / "default"
    (profile / "QGIS").mkdir(parents=True)
    ini = profile / "QGIS" / "QGIS3.ini"
    ini.write_text(qgis_window.FIRST_RUN_INI)
    target = package.deploy(zip_path, str(profile))
    if qm:
        import shutil

        shutil.copyfile(qm, os.path.join(target, "i18n", "forestry_plugin_zh_CN.qm"))
    ini.write_text(ini.read_text(encoding="utf-8") + "\n[locale]\nuserLocale=zh-Hans\noverrideFlag=true\n",
                   encoding="utf-8")
    return str(root)


def run_in_qgis(role: str, plan: dict, tmp_path, plugin_build, timeout: int = 170) -> dict:
    import signal
    import sysconfig

    profiles = chinese_profile(tmp_path, plugin_build)
    plan_path, status_path = str(tmp_path / "plan.json"), str(tmp_path / "status.json")
    with open(plan_path, "w", encoding="utf-8") as fh:
        json.dump(plan, fh, ensure_ascii=False)
    out = os.path.join(SHOTS, f"walkthrough_{role}.png")
    env = dict(os.environ, **{ROLE_ENV: role, STATUS_ENV: status_path, ROOT_ENV: ROOT, PLAN_ENV: plan_path})
    env.pop("QT_QPA_PLATFORM", None)  # a real window on the virtual X server
    env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]  # shapely and openpyxl, as the README asks users to
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "xdg")
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"  # the language comes from QGIS's own setting, not the system's
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", qgis_window.QGIS_BIN, "--noversioncheck", "--nologo",
           "--profiles-path", profiles, "--code", os.path.abspath(__file__)]
    before = os.path.getmtime(out) if os.path.exists(out) else None
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _out, err = proc.communicate()
    assert os.path.exists(status_path), f"QGIS wrote no status (killed after {timeout} s?):\n{err[-3000:]}"
    with open(status_path, encoding="utf-8") as fh:
        data = json.load(fh)
    assert data.get("ok"), (data.get("error"), data["steps"], data["messages"])
    assert os.path.dirname(data["plugin_dir"]).startswith(profiles), data["plugin_dir"]  # the installed zip
    assert os.path.exists(out) and os.path.getmtime(out) != before, out
    from qgis.PyQt.QtGui import QImage

    img = QImage(out)
    assert img.width() >= 1400 and img.height() >= 850, (img.width(), img.height())
    return data


@pytest.fixture()
def county_on_platform(sample_county, platform):
    """The sample county's working copy and the platform holding its patches (imported by the operator)."""
    from forestry_plugin.core import geopackage
    from reference_platform.server import read_gpkg_patches

    server, url = platform
    # the acceptance survey of a few clean design patches is in (survival rate, date), as a contractor reports it
    design = sorted(a["patch_id"] for _f, a, _g in geopackage.read_features(sample_county.path, "patches",
                                                                             ["patch_id", "stage"])
                    if a["stage"] == "design" and a["patch_id"] in set(sample_county.clean_ids))
    surveyed = design[:3]
    with geopackage.connect(sample_county.path) as con:
        con.executemany("UPDATE patches SET survival_rate = 92.0, accept_date = '2025-05-20' WHERE patch_id = ?",
                        [(p,) for p in surveyed])
    assert server.db.import_patches(COUNTY, read_gpkg_patches(sample_county.path)) > 0
    return sample_county, server, url, surveyed


def zh(plugin_build, source: str) -> str:
    """The Chinese the installed plugin shows for a source string (its compiled translation)."""
    from qgis.PyQt.QtCore import QTranslator

    translator = QTranslator()
    assert plugin_build[1] and translator.load(plugin_build[1]), plugin_build
    return translator.translate("forestry", source) or source


MOVES = "stage moves: {0} accepted, {1} refused"


def platform_rows(server, sql: str, args=()) -> list:
    con = sqlite3.connect(server.db.path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql, args)]
    finally:
        con.close()


def platform_stage(server, pid: str) -> str:
    row = platform_rows(server, "SELECT properties FROM patches WHERE patch_id = ?", (pid,))
    return json.loads(row[0]["properties"])["stage"]


def assert_chinese_ui(data):
    """The docks the screenshot shows speak Chinese, and so did every note in the message bar."""
    assert {"审核", "平台同步"} <= set(data["toolbar"]), data["toolbar"]
    assert data["english"] == [], "English in the Chinese UI:\n" + "\n".join(data["english"])
    english = [m for m in data["messages_text"] if any(w for w in re.findall(
        r"[A-Za-z]{4,}", m.split(": ", 1)[-1]) if not w.startswith(("demo", "http")))]
    assert english == [], english
    assert data["open_dialog_title"] == "打开工作库", data["open_dialog_title"]
    assert data["user_label"].startswith("已登录："), data["user_label"]
    # nowhere a UUID where a person reads: QGIS's selection note names the patch by its display expression
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", data["status_bar"]), data["status_bar"]
    assert data["window"] == [1600, 1000], data["window"]  # the docks fit the screen


def stage_clean(sample_county, stage: str, n: int) -> list:
    from forestry_plugin.core import geopackage

    clean = set(sample_county.clean_ids)
    rows = geopackage.read_features(sample_county.path, "patches", ["patch_id", "stage", "tuban_no"])
    return [a["patch_id"] for _f, a, _g in sorted(rows, key=lambda r: str(r[1]["tuban_no"]))
            if a["stage"] == stage and a["patch_id"] in clean][:n]


def dry_land_square(path: str) -> list:
    """An 80 m square inside a dry-land (旱地 0103) base-map parcel that no patch and no basic farmland covers:
    drawing there is on cropland, one error of the live check."""
    import shapely

    from forestry_plugin.core import geopackage

    taken = [shapely.from_wkb(w) for table in ("patches", "basic_farmland")
             for _f, _a, w in geopackage.read_features(path, table) if w]
    tree = shapely.STRtree(taken)
    for _f, _a, wkb in geopackage.read_features(path, "basemap", ["DLBM"], where="DLBM = '0103'"):
        cell = shapely.from_wkb(wkb)
        c = cell.centroid
        square = shapely.box(c.x - 40, c.y - 40, c.x + 40, c.y + 40)
        if square.within(cell) and not len(tree.query(square.buffer(30), predicate="intersects")):
            return [c.x - 40, c.y - 40, c.x + 40, c.y + 40]
    raise AssertionError("no free dry-land parcel in the sample county")


def test_contractor_digitizes_a_patch_and_uploads_it(tmp_path, plugin_build, county_on_platform):
    sample, server, url, _surveyed = county_on_platform
    plan = {"working_copy": sample.path, "url": url, "square": dry_land_square(sample.path)}
    data = run_in_qgis("contractor", plan, tmp_path, plugin_build)
    assert_chinese_ui(data)
    assert "示例施工队" in data["user_label"] and "施工单位" in data["user_label"], data["user_label"]
    # QGIS's Add Feature tool, its form, OK: the live check's note names the patch by its 图斑编号 and the rule
    assert data["qgis_add_feature_tool"] and data["map_tool"] == "QgsMapToolDigitizeFeature", data
    assert data["form"]["ok_enabled"] and data["form"]["english"] == [], data["form"]
    new = data["new_patch"]
    assert new["stage"] == "design" and new["tuban_no"] not in ("", "NULL", "None"), new
    assert f"图斑 {new['tuban_no']}：1 个检查错误（占用耕地且无审批）" in data["live_note"], data["live_note"]
    assert "新增 1" in data["changes_before_upload"], data["changes_before_upload"]
    assert "已上传 1：接受 1" in data["upload_note"], data["upload_note"]
    # the platform holds the patch, created by the contractor's account
    rows = platform_rows(server, "SELECT * FROM patches WHERE patch_id = ?", (new["patch_id"],))
    assert len(rows) == 1, new
    props = json.loads(rows[0]["properties"])
    assert (rows[0]["created_by"], rows[0]["updated_by"], rows[0]["county"]) == ("demo_contractor",) * 2 + (COUNTY,)
    assert props["stage"] == "design" and props["tuban_no"] == new["tuban_no"] and props["species"] == "camphor"


def test_technician_checks_exports_moves_and_uploads(tmp_path, plugin_build, county_on_platform):
    sample, server, url, surveyed = county_on_platform
    xlsx = str(tmp_path / "质检报告.xlsx")
    plan = {"working_copy": sample.path, "url": url, "confirm": surveyed[0], "xlsx": xlsx, "watch": surveyed}
    data = run_in_qgis("technician", plan, tmp_path, plugin_build)
    assert_chinese_ui(data)
    assert "示例县技术员" in data["user_label"] and "县级技术人员" in data["user_label"], data["user_label"]
    assert data["check_note"].startswith("林业质检: 已质检 "), data["check_note"]
    assert data["findings"] > 0 and data["groups"], data
    assert all(" — " in g and g.endswith(")") for g in data["groups"]), data["groups"]
    assert data["excel_dialog_title"] == "质检报告", data["excel_dialog_title"]
    # the Excel report: a sheet per purpose, Chinese headers, one row per open finding
    import openpyxl

    wb = openpyxl.load_workbook(xlsx, read_only=True)
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(max_row=3, values_only=True) for c in row if c]
    assert any("图斑编号" in c for c in cells), cells[:40]
    wb.close()
    # the review dock: who, the queue, the move
    rev = data["review"]
    assert rev["identity"].startswith("当前身份：demo_tech (示例县技术员) · 县级技术人员 · 339901"), rev
    assert rev["queue_label"].endswith("等待“县级技术人员”审核"), rev["queue_label"]
    assert surveyed[0] in rev["queue"], rev
    conf = data["confirm"]
    assert conf["target_text"] == "造林验收" and "可以确认" in conf["info"], conf
    assert conf["applied"] == 1 and conf["refused"] == [], conf
    assert surveyed[0] not in data["after"]["queue"], data["after"]
    assert zh(plugin_build, MOVES).format(1, 0) in data["upload_note"], data["upload_note"]
    # the platform holds the move, made by the technician's account
    audit = platform_rows(server, "SELECT * FROM audit WHERE patch_id = ? AND action = 'transition'", (surveyed[0],))
    assert [(a["from_stage"], a["to_stage"], a["status"], a["user_name"], a["role"], a["claimed_user_name"])
            for a in audit] == [("design", "accepted", "accepted", "demo_tech", "county_technician", "demo_tech")]
    assert platform_stage(server, surveyed[0]) == "accepted"


@pytest.mark.parametrize("role", ["county", "city"])
def test_reviewer_confirms_and_returns_then_uploads(role, tmp_path, plugin_build, county_on_platform):
    sample, server, url, _surveyed = county_on_platform
    stage, target, back = {"county": ("accepted", "confirmed", "design"),
                           "city": ("county_checked", "city_verified", "confirmed")}[role]
    first, second = stage_clean(sample, stage, 2)
    plan = {"working_copy": sample.path, "url": url, "confirm": first, "return": second, "watch": [first, second]}
    data = run_in_qgis(role, plan, tmp_path, plugin_build)
    assert_chinese_ui(data)
    account, display, role_zh = {"county": ("demo_county", "示例县县级审核", "县级审核"),
                                 "city": ("demo_city", "示例市市级核查", "市级核查")}[role]
    assert display in data["user_label"], data["user_label"]
    rev = data["review"]
    assert rev["identity"].startswith(f"当前身份：{account} ({display}) · {role_zh}"), rev
    assert rev["queue_label"].endswith(f"等待“{role_zh}”审核"), rev["queue_label"]
    assert first in rev["queue"] and second in rev["queue"], rev
    conf = data["confirm"]
    assert conf["applied"] == 1 and conf["refused"] == [], conf
    ret = data["return"]
    assert ret["applied"] == 1 and ret["refused"] == [], ret
    assert ret["reason_text"] == "位置范围与设计不符" and ret["typed"] == COMMENT and ret["back_to"] == back, ret
    assert zh(plugin_build, MOVES).format(2, 0) in data["upload_note"], data["upload_note"]
    # after the upload the dock shows what the platform accepted: nothing pending any more
    assert not any("待确认" in row[1] for row in data["final"]["rows"]), data["final"]
    assert "待平台确认" not in data["final_info"], data["final_info"]
    if role == "county":  # the confirmed patch is still the county's (confirmed -> county self-check)
        assert data["history"][0][0].endswith("demo_county (县级审核)"), data["history"]
        assert data["history"][0][1] == "造林验收 → 百万亩确认", data["history"]
    # the platform's audit holds both moves under the token's account
    audit = platform_rows(server, "SELECT * FROM audit WHERE patch_id IN (?, ?) AND action IN ('transition', "
                                  "'return') ORDER BY id", (first, second))
    assert [(a["patch_id"], a["action"], a["from_stage"], a["to_stage"], a["status"], a["user_name"])
            for a in audit] == [(first, "transition", stage, target, "accepted", account),
                                (second, "return", stage, back, "accepted", account)], audit
    assert audit[1]["reason"] == "location_mismatch" and audit[1]["comment"] == COMMENT, audit[1]
    assert platform_stage(server, first) == target and platform_stage(server, second) == back
