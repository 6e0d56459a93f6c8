"""Which adapter speaks to a server: the platform kinds a user chooses per server (docs/sync.md)."""

from __future__ import annotations

from typing import Optional

from ...i18n import tr
from .adapter import KINDS, PACKAGE, REST, WFS, Platform
from .client import PlatformClient
from .wfs import WfsPlatform, load_description


def kind_label(kind: str) -> str:
    return {REST: tr("Provincial platform (REST contract)"), WFS: tr("GIS server (WFS-T)"),
            PACKAGE: tr("Submission packages (files)")}.get(kind, kind)


def checked_kind(value: object) -> str:
    """A stored platform kind, validated (a settings value is input: anything unknown is the REST contract)."""
    return value if isinstance(value, str) and value in KINDS else REST


def open_platform(kind: str, url: str, description_path: Optional[str] = None, **kwargs) -> Platform:
    """The adapter for a server of `kind` (the package kind has none: its files go through core/exchange)."""
    kind = checked_kind(kind)
    if kind == WFS:
        return WfsPlatform(url, load_description(description_path or None), **kwargs)
    if kind == PACKAGE:
        raise ValueError(tr("Submission packages are exchanged as files (Export package… / Import package…), "
                            "not synced"))
    return PlatformClient(url, **kwargs)
