"""The one place the plugin tells the user something: QGIS's message bar, and the same text in the QGIS message log
(tag "Forestry"), never with a secret in it.

    messages.warning(self.iface, tr("Open a working copy first"), messages.CHECKS, duration=5)

Each part of the plugin says who is talking (`Source`: the message bar's title and how long its messages stay);
info/warning/error/success pick the level. `target` is the QGIS interface or a message bar.
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple, Optional

from qgis.core import Qgis, QgsMessageLog

from ..core.sync.client import redact
from ..i18n import tr

LOG_TAG = "Forestry"


class Source(NamedTuple):
    """Who speaks: the message bar's title (translated when shown) and the seconds its messages stay (0: until
    closed)."""

    title: Callable[[], str]
    duration: int


PLUGIN = Source(lambda: tr("Forestry"), 0)  # the plugin itself (missing dependencies): stays until closed
PROJECT = Source(lambda: tr("Forestry"), 6)  # the working-copy dock
EDITING = Source(lambda: tr("Forestry"), 8)  # the editing tools
CHECKS = Source(lambda: tr("Forestry checks"), 8)
REVIEW = Source(lambda: tr("Forestry review"), 6)
PLATFORM = Source(lambda: tr("Forestry platform"), 8)

# redact() finds no secret across a comma or semicolon: a long message is redacted piece by piece (see safe_text)
_PIECES = re.compile(r"(?<=[,;])")


def safe_text(text) -> str:
    """`text` as it may be shown and logged: passwords, tokens, Authorization values and "Bearer …" credentials
    replaced by *** (core.sync.client.redact, which the platform's own words went through already). redact() cuts
    what it returns to a platform message's length; the plugin's own messages (an install command, a list of
    patches) are kept whole, redacted piece by piece between the commas and semicolons no secret pattern spans."""
    return "".join(redact(piece) for piece in _PIECES.split(str(text)))


def _bar(target):
    return target.messageBar() if hasattr(target, "messageBar") else target


def show(target, text, level=Qgis.Info, source: Source = PROJECT, duration: Optional[int] = None) -> str:
    """Push `text` to the message bar of `target` (an iface or a QgsMessageBar) at `level` and write it to the
    QGIS message log; returns the text as shown (secrets redacted)."""
    text = safe_text(text)
    QgsMessageLog.logMessage(text, LOG_TAG, level)
    bar = _bar(target)
    if bar is not None:
        bar.pushMessage(source.title(), text, level, source.duration if duration is None else duration)
    return text


def info(target, text, source: Source = PROJECT, duration: Optional[int] = None) -> str:
    return show(target, text, Qgis.Info, source, duration)


def warning(target, text, source: Source = PROJECT, duration: Optional[int] = None) -> str:
    return show(target, text, Qgis.Warning, source, duration)


def error(target, text, source: Source = PROJECT, duration: Optional[int] = None) -> str:
    return show(target, text, Qgis.Critical, source, duration)


def success(target, text, source: Source = PROJECT, duration: Optional[int] = None) -> str:
    return show(target, text, Qgis.Success, source, duration)
