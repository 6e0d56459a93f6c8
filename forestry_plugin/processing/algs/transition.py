"""forestry:transition: move selected patches to a stage (or return them), all or nothing, with a per-patch report."""

from __future__ import annotations

import json

from qgis.core import (
    QgsExpression,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputBoolean,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExpression,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ... import schema
from ...core import geopackage, workflow
from ...core.output_file import OutputFileError, write_file
from ...core.project import geopackage_table
from ...i18n import tr, ui_language
from ..outputs import verify_sink
from .checkpatches import working_copy_layer

REPORT_FIELDS = (("patch_id", QVariant.String), ("action", QVariant.String), ("from_stage", QVariant.String),
                 ("to_stage", QVariant.String), ("status", QVariant.String), ("refusal_codes", QVariant.String),
                 ("refusals", QVariant.String))


def patch_layer_path(layer: QgsVectorLayer) -> str:
    """The working-copy GeoPackage behind a patches layer; raises QgsProcessingException otherwise."""
    source = geopackage_table(layer)
    if not source or source[1] != schema.PATCHES:
        raise QgsProcessingException(tr("PATCHES must be the patches layer of a working-copy GeoPackage"))
    return source[0]


class TransitionAlgorithm(QgsProcessingAlgorithm):
    PATCHES, SELECTION, TARGET, REASON, COMMENT = ("PATCHES", "SELECTION", "TARGET", "REASON", "COMMENT")
    OUTPUT, REPORT = "OUTPUT", "REPORT"

    def name(self):
        return "transition"

    def displayName(self):  # noqa: N802
        return tr("Stage transition / return")

    def group(self):
        return tr("Workflow")

    def groupId(self):  # noqa: N802
        return "workflow"

    def shortHelpString(self):  # noqa: N802
        return tr("Moves the patches matching SELECTION to TARGET stage as you: the account of your last platform "
                  "login to this working copy (cached for offline work), else a local county technician. A target "
                  "earlier than a patch's stage is a return for rectification and needs a REASON (and a COMMENT for "
                  "\"other\"). Preconditions (your role allowed by the platform's workflow policy, no skipped stage, "
                  "required attributes, survival rate, fresh checks without open errors, area consistent) are checked "
                  "for every patch; if any patch is refused nothing changes. Every change is written to the audit log "
                  "and stays pending until the platform accepts it at the next sync.")

    def flags(self):
        # Main thread: the edit buffer of an open patches layer is inspected and the layer reloaded afterwards.
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading

    def createInstance(self):  # noqa: N802
        return TransitionAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterVectorLayer(self.PATCHES, tr("Patches (working copy)"),
                                                            [QgsProcessing.TypeVectorPolygon],
                                                            defaultValue=working_copy_layer(schema.PATCHES)))
        self.addParameter(QgsProcessingParameterExpression(self.SELECTION, tr("Selection (expression)"), "",
                                                           self.PATCHES, optional=True))
        self.addParameter(QgsProcessingParameterEnum(self.TARGET, tr("Target stage"),
                                                     [c.en for c in schema.STAGES]))
        self.addParameter(QgsProcessingParameterEnum(self.REASON, tr("Return reason"),
                                                     [c.en for c in schema.REJECTION_REASONS], optional=True))
        self.addParameter(QgsProcessingParameterString(self.COMMENT, tr("Comment"), "", optional=True,
                                                       multiLine=True))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Per-patch report"),
                                                            QgsProcessing.TypeVector, optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(self.REPORT, tr("Report (JSON)"),
                                                                tr("JSON (*.json)"), optional=True,
                                                                createByDefault=False))
        self.addOutput(QgsProcessingOutputBoolean("APPLIED", tr("Applied")))
        self.addOutput(QgsProcessingOutputNumber("TOTAL", tr("Patches selected")))
        self.addOutput(QgsProcessingOutputNumber("CHANGED", tr("Patches changed")))
        self.addOutput(QgsProcessingOutputNumber("REFUSED", tr("Patches refused")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        layer = self.parameterAsVectorLayer(parameters, self.PATCHES, context)
        path = patch_layer_path(layer)
        if layer.isEditable() and layer.isModified():
            raise QgsProcessingException(tr("The patches layer has unsaved edits: save or discard them first"))
        # parameterAsExpression() returns "" for an invalid expression, which would select every patch.
        expr = self.parameterAsString(parameters, self.SELECTION, context).strip()
        target = schema.STAGES.values()[self.parameterAsEnum(parameters, self.TARGET, context)]
        reason = None
        if parameters.get(self.REASON) is not None:
            reason = schema.REJECTION_REASONS.values()[self.parameterAsEnum(parameters, self.REASON, context)]
        comment = self.parameterAsString(parameters, self.COMMENT, context)

        request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry)
        if expr:
            q = QgsExpression(expr)
            if q.hasParserError():
                raise QgsProcessingException(tr("Invalid selection expression: {0}").format(q.parserErrorString()))
            request.setFilterExpression(expr)
        # Read from the file, not the layer, so a filtered/edited layer cannot change which patches match.
        source = QgsVectorLayer(geopackage.layer_uri(path, schema.PATCHES), "patches", "ogr")
        ids = [f["patch_id"] for f in source.getFeatures(request) if f["patch_id"]]
        feedback.pushInfo(tr("{0} patch(es) selected").format(len(ids)))
        try:
            engine = workflow.WorkflowEngine(path)
            feedback.pushInfo(tr("Acting as {0}").format(engine.identity.label(ui_language())))
            report = engine.apply(ids, target, reason=reason, comment=comment)
        except (workflow.WorkflowError, geopackage.WorkingCopyError) as e:
            raise QgsProcessingException(str(e)) from e
        for r in report.refused:
            feedback.reportError(tr("{0}: {1}").format(r.patch_id, "; ".join(x.message for x in r.refusals)))
        feedback.pushInfo(report.summary())
        if report.applied:
            layer.reload()
            layer.triggerRepaint()

        results = {"APPLIED": report.applied, "TOTAL": len(report.results), "CHANGED": report.changed,
                   "REFUSED": len(report.refused)}
        fields = QgsFields()
        for name, kind in REPORT_FIELDS:
            fields.append(QgsField(name, kind))
        try:
            sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.NoGeometry)
            if sink is not None:
                rows = []
                for r in report.results:
                    f = QgsFeature(fields)
                    status = "changed" if report.applied else ("refused" if not r.ok else "unchanged")
                    f.setAttributes([r.patch_id, r.action, r.from_stage, r.to_stage, status, ",".join(r.codes),
                                     "; ".join(x.message for x in r.refusals)])
                    rows.append(f)
                refused = "" if sink.addFeatures(rows, QgsFeatureSink.FastInsert) else sink.lastError() or "?"
                sink = None  # closed: a file's last writes happen here (a full disk may be told only now, if at all)
                verify_sink(dest, len(rows), context, refused, feedback)
                results[self.OUTPUT] = dest
            out = self.parameterAsFileOutput(parameters, self.REPORT, context)
            if out:
                write_file(out, json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
                results[self.REPORT] = out
        except OutputFileError as e:  # the patches are moved already: say so, and why the report is not there
            raise QgsProcessingException(tr("{0}. Its report {1} was not saved: {2}. {3}").format(
                report.summary(), e.path, e.reason, e.outcome()).strip()) from None
        except QgsProcessingException as e:  # the per-patch output could not be made at all
            raise QgsProcessingException(tr("{0}. Its report was not saved: {1}").format(report.summary(), e)) \
                from None
        return results
