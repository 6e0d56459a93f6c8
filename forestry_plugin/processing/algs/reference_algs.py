"""forestry:loadreferencepostgis and forestry:setreferencesource: the 三调 base map, basic farmland, earlier years and
admin units in a city's or province's PostGIS database, and a working copy pointed at it (docs/checks.md)."""

from __future__ import annotations

import json

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ...core import geopackage
from ...core.checks import pg_source
from ...i18n import tr
from ...settings import WorkingCopyKey

_TABLES = (("BASEMAP_TABLE", "basemap"), ("FARMLAND_TABLE", "farmland"), ("HISTORY_TABLE", "history"),
           ("ADMIN_TABLE", "admin"))


def _table_label(role: str) -> str:  # translated when the parameter is made, not when the module is imported
    return {"basemap": tr("Base map (三调) table"), "farmland": tr("Basic farmland table"),
            "history": tr("Earlier years' patches table"), "admin": tr("Administrative units table")}[role]


class _ReferenceAlgorithm(QgsProcessingAlgorithm):
    DSN, AUTHCFG, SCHEMA = "DSN", "AUTHCFG", "SCHEMA"

    def group(self):
        return tr("Working copy")

    def groupId(self):  # noqa: N802
        return "workingcopy"

    def _common(self, dsn_optional: bool = False):
        self.addParameter(QgsProcessingParameterString(
            self.DSN, tr("PostgreSQL connection (libpq, no password: e.g. host=db port=5432 dbname=sandiao, or "
                         "service=city)"), optional=dsn_optional))
        self.addParameter(QgsProcessingParameterAuthConfig(self.AUTHCFG, tr("Authentication (user name / password)"),
                                                           optional=True))
        self.addParameter(QgsProcessingParameterString(self.SCHEMA, tr("Schema"), "public"))
        for key, role in _TABLES:
            self.addParameter(QgsProcessingParameterString(key, _table_label(role), pg_source.KINDS[role][0]))

    def _source(self, parameters, context):
        raw = {"dsn": self.parameterAsString(parameters, self.DSN, context),
               "authcfg": self.parameterAsString(parameters, self.AUTHCFG, context) or "",
               "schema": self.parameterAsString(parameters, self.SCHEMA, context) or "public",
               "tables": {role: self.parameterAsString(parameters, key, context) for key, role in _TABLES}}
        try:
            return raw, pg_source.parse_source(raw)
        except pg_source.ReferenceSourceError as e:
            raise QgsProcessingException(str(e)) from None


class LoadReferenceAlgorithm(_ReferenceAlgorithm):
    SOURCE = "SOURCE"

    def name(self):
        return "loadreferencepostgis"

    def displayName(self):  # noqa: N802
        return tr("Load reference data into PostGIS")

    def shortHelpString(self):  # noqa: N802
        return tr("Copies the base map (三调), basic farmland, earlier years' patches and administrative units of a "
                  "working copy or 三调 GeoPackage into PostgreSQL/PostGIS tables (geometry column geom with a GiST "
                  "index, the same column names), for a city or province to check every county against one database.")

    def createInstance(self):  # noqa: N802
        return LoadReferenceAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(self.SOURCE, tr("GeoPackage with the reference tables"),
                                                     extension="gpkg"))
        self._common()
        self.addOutput(QgsProcessingOutputNumber("LOADED", tr("Features loaded")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        _raw, source = self._source(parameters, context)
        if source["authcfg"]:
            raise QgsProcessingException(tr("Loading uses the connection string only (a pg_service.conf / .pgpass "
                                            "entry for the login); leave the authentication empty"))
        try:
            counts = pg_source.load_from_geopackage(self.parameterAsFile(parameters, self.SOURCE, context),
                                                    source["dsn"], source["schema"], source["tables"])
        except (pg_source.ReferenceSourceError, RuntimeError) as e:
            raise QgsProcessingException(tr("Loading failed: {0}").format(
                str(e).splitlines()[0] if str(e) else type(e).__name__)) from None
        for table, n in counts.items():
            feedback.pushInfo(tr("{0}: {1} features").format(table, n))
        return {"LOADED": sum(counts.values())}


class SetReferenceSourceAlgorithm(_ReferenceAlgorithm):
    WORKING_COPY = "WORKING_COPY"

    def name(self):
        return "setreferencesource"

    def displayName(self):  # noqa: N802
        return tr("Use reference data from PostGIS")

    def shortHelpString(self):  # noqa: N802
        return tr("Points a working copy's checks at the base map, farmland, earlier years and admin units in a "
                  "PostGIS database (read per check run in the window of the patches, through the spatial index). "
                  "The connection is tried first. An empty connection string returns to the working copy's own "
                  "tables.")

    def createInstance(self):  # noqa: N802
        return SetReferenceSourceAlgorithm()

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(self.WORKING_COPY, tr("Working copy (GeoPackage)"),
                                                     extension="gpkg"))
        self._common(dsn_optional=True)
        self.addOutput(QgsProcessingOutputNumber("BASEMAP", tr("Base-map parcels in the working copy's window")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        path = self.parameterAsFile(parameters, self.WORKING_COPY, context)
        try:
            geopackage.verify_working_copy(path)
        except geopackage.WorkingCopyError as e:
            raise QgsProcessingException(str(e)) from None
        if not self.parameterAsString(parameters, self.DSN, context).strip():
            geopackage.set_setting(path, WorkingCopyKey.REFERENCE_SOURCE, "")
            feedback.pushInfo(tr("The working copy's own reference tables are used again"))
            return {"BASEMAP": 0}
        raw, source = self._source(parameters, context)
        from ...core.checks.gpkg_io import read_check_patches
        from ...core.checks.rules import BASEMAP_CLASSES

        data = read_check_patches(path)
        try:  # tried before it is stored: a wrong table or login is said now, not at the next check
            ref = pg_source.reference_data(source, data["patch_geoms"], data["epsg"], sorted(BASEMAP_CLASSES))
        except pg_source.ReferenceSourceError as e:
            raise QgsProcessingException(str(e)) from None
        geopackage.set_setting(path, WorkingCopyKey.REFERENCE_SOURCE, json.dumps(raw, ensure_ascii=False))
        n = len(ref["basemap_ids"])
        feedback.pushInfo(tr("Checks read the reference data from PostGIS: {0} base-map parcels, {1} farmland "
                             "parcels in the working copy's window").format(n, len(ref["farmland_ids"])))
        return {"BASEMAP": n}
