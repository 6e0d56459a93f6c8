"""Every setting the plugin keeps, in one place (as qtribu's and QFieldSync's settings modules do).

- `PluginSettings`: what the panels remember in the user's QGIS profile (QgsSettings, under ``forestry/``): the
  platform kind, URL, service description and authentication configuration *id* of the last server, per-server
  choices, the last import folder. Never a secret: passwords and tokens live in QgsAuthManager only. A stored value
  is input like any other (another plugin version, a hand-edited QGIS3.ini): each property checks what it reads
  and falls back to the default.
- `WorkingCopyKey`: the keys of a working copy's own settings table (`geopackage.SETTINGS_TABLE`), what each
  means and which module reads it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Optional

from qgis.core import QgsSettings

DEFAULT_PLATFORM_URL = "http://127.0.0.1:8765/api/v1"  # the reference platform of `make platform`
_KINDS = ("rest", "wfs", "package")  # core.sync.adapter.KINDS (not imported: settings import nothing of the plugin)
_AUTHCFG = re.compile(r"^[A-Za-z0-9]{7}$")  # a QgsAuthManager configuration id


class WorkingCopyKey:
    """Keys of a working copy's settings table (`geopackage.get_setting` / `set_setting`)."""

    SCHEMA_VERSION = "schema_version"  # geopackage.SCHEMA_VERSION the copy was made or upgraded with
    CRS = "crs"  # "EPSG:4549": the copy's projected CGCS2000 CRS
    COUNTY_CODE = "county_code"  # the county the copy holds (GB/T 2260, 6 digits)
    COUNTY_NAME = "county_name"  # its name, for reports
    RULES_PROFILE = "rules_profile"  # checks.profile: the rules' settings (JSON)
    TUBAN_NO_SCHEME = "tuban_no_scheme"  # attributes.PatchNumberer: how 图斑编号 are made
    WORKFLOW_CONFIG = "workflow_config"  # no longer honoured: the platform owns the policy (kept for old copies)
    REFERENCE_SOURCE = "reference_source"  # checks.pg_source: base map etc. in PostGIS instead of this file


class PluginSettings:
    """The plugin's QgsSettings, typed and checked. `PluginSettings().sync_url`, `.sync_url = ...`."""

    PREFIX = "forestry/"

    def __init__(self, settings: Optional[QgsSettings] = None):
        self._s = settings if settings is not None else QgsSettings()

    def _text(self, key: str, default: str = "") -> str:
        value = self._s.value(self.PREFIX + key, default)
        return value if isinstance(value, str) else default

    def _set(self, key: str, value: Any) -> None:
        self._s.setValue(self.PREFIX + key, value)

    # -- the last server -----------------------------------------------------------------
    @property
    def sync_kind(self) -> str:
        kind = self._text("sync/kind", "rest")
        return kind if kind in _KINDS else "rest"

    @sync_kind.setter
    def sync_kind(self, kind: str) -> None:
        self._set("sync/kind", kind if kind in _KINDS else "rest")

    @property
    def sync_url(self) -> str:
        url = self._text("sync/url", DEFAULT_PLATFORM_URL).strip()
        return url if re.match(r"^https?://\S+$", url) else DEFAULT_PLATFORM_URL

    @sync_url.setter
    def sync_url(self, url: str) -> None:
        self._set("sync/url", url.strip())

    @property
    def sync_authcfg(self) -> str:
        cfg = self._text("sync/authcfg", "").strip()
        return cfg if _AUTHCFG.match(cfg) else ""

    @sync_authcfg.setter
    def sync_authcfg(self, cfg: str) -> None:
        self._set("sync/authcfg", cfg if _AUTHCFG.match(cfg or "") else "")

    @property
    def wfs_description(self) -> str:
        return self._text("sync/wfs_description", "").strip()

    @wfs_description.setter
    def wfs_description(self, path: str) -> None:
        self._set("sync/wfs_description", (path or "").strip())

    # -- per server --------------------------------------------------------------------------
    def _server(self, url: str) -> str:
        """One server's group: its URL without user info, hashed (a key, not a secret)."""
        from qgis.PyQt.QtCore import QUrl

        shown = QUrl(url.strip()).toDisplayString(QUrl.RemoveUserInfo)
        return "sync/servers/" + hashlib.sha1(shown.encode("utf-8")).hexdigest()[:16]

    def server_kind(self, url: str) -> str:
        """The kind last used with this server ("" when none)."""
        kind = self._text(self._server(url) + "/kind", "")
        return kind if kind in _KINDS else ""

    def server_description(self, url: str) -> str:
        return self._text(self._server(url) + "/wfs_description", "").strip()

    def remember_server(self, url: str, kind: str, description: str = "") -> None:
        """After a login: the kind (and WFS description) of this server, and it as the last server."""
        from qgis.PyQt.QtCore import QUrl

        # a URL typed with user:password@ is kept without them (credentials live in QgsAuthManager only)
        self.sync_url = QUrl(url.strip()).toDisplayString(QUrl.RemoveUserInfo)
        self.sync_kind = kind
        self._set(self._server(url) + "/kind", self.sync_kind)
        if kind == "wfs":
            self.wfs_description = description
            self._set(self._server(url) + "/wfs_description", (description or "").strip())

    # -- editing -------------------------------------------------------------------------
    @property
    def import_dir(self) -> str:
        return self._text("import_dir", "")

    @import_dir.setter
    def import_dir(self, folder: str) -> None:
        self._set("import_dir", folder or "")
