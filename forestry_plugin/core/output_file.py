"""One way to write a file the user asked for (a report, a map, a JSON record): all of it or none of it.

The content goes to a temporary file in the same folder, which replaces the file at its path (os.replace) only when
it is complete and on disk. A full disk, an unwritable or missing folder, a file open in another program: the user
gets one OutputFileError (an OSError) whose text says which file, why in plain words, and what happened to the file
of that name that was there (kept unchanged) -- never a half-written file, and never a destroyed earlier one.

    with atomic_output(path) as tmp:     # a writer that wants a file name (QgsLayoutExporter)
        exporter.exportToPdf(tmp, settings)
    write_file(path, text_or_bytes)      # content already in memory
    save_workbook(workbook, path)        # an openpyxl Workbook

No GUI imports: core, Processing and GUI use it alike.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import sqlite3
import stat
import uuid
from contextlib import contextmanager
from typing import Iterator, Optional, Union

from ..i18n import tr


class OutputFileError(OSError):
    """A file could not be written; str() is the whole message for the user (in their language)."""

    def __init__(self, path: str, reason: str, kept: bool, left: bool = False):
        """kept: a file of that name was there and is unchanged; left: what was written could not be removed (an
        output inside a database) and is incomplete; neither: nothing is there."""
        self.path, self.reason, self.kept, self.left = path, reason, kept, left
        if left:
            text = tr("Could not write {0}: {1}. What is there is incomplete: remove it.")
        elif kept:
            text = tr("Could not write {0}: {1}. The file that was there is unchanged.")
        else:
            text = tr("Could not write {0}: {1}. Nothing was saved.")
        super().__init__(text.format(path, reason))

    def __str__(self) -> str:
        return self.args[0]

    def outcome(self) -> str:
        """What became of the file at the path, in a sentence ("" when nothing is there): for a message of its own
        that says the rest (what was done, which file, self.reason)."""
        if self.left:
            return tr("What is there is incomplete: remove it.")
        return tr("The file that was there is unchanged.") if self.kept else ""


class OutputIncomplete(Exception):
    """Raised by a caller inside atomic_output when its writer reported no error but the file is not what it must
    be (QgsLayoutExporter says Success with a PDF cut short by a full disk); the text is the reason shown."""


SQLITE_FULL, SQLITE_IOERR = 13, 10  # SQLite's result codes: "database or disk is full", "disk I/O error"
# Texts that carry no errno: GDAL's (a RuntimeError with exceptions on, else its last error message) and SQLite's.
_FULL_TEXTS = ("no space left on device", "database or disk is full", "not enough space on the disk",
               "disk quota exceeded")
_WRITE_FAILED_TEXTS = ("failure seeking", "failure writing", "failed to write", "failed writing", "write error",
                       "error writing", "error while writing", "could not write", "cannot write", "short write",
                       "disk i/o error", "i/o error")


def write_failed(text: str) -> bool:
    """True when an error text without an errno (GDAL's, SQLite's) says a write failed: the disk full, or a write
    that the system refused for a reason the text does not give."""
    low = (text or "").lower()
    return any(t in low for t in _FULL_TEXTS + _WRITE_FAILED_TEXTS)


def _nearly_full(where: str) -> bool:
    """True when the file system of `where` (a file or folder; the nearest existing folder above it) has less than
    1 MB left for the user: a write that failed there failed for want of space."""
    folder = os.path.abspath(where)
    while folder and not os.path.isdir(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent
    try:
        return shutil.disk_usage(folder).free < 1024 * 1024
    except OSError:
        return False


def reason(e: BaseException, where: Optional[str] = None) -> str:
    """Why a write failed, in the user's words: an OSError by its errno, SQLite's error by its code, GDAL's
    RuntimeError (and other texts without an errno) by their words. `where`: the file or folder written; a write
    failure that does not say why is called a full disk when that file system has (almost) no space left."""
    if isinstance(e, OutputIncomplete):
        return str(e)
    code = getattr(e, "errno", None)
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return tr("the disk is full")
    if code in (errno.EACCES, errno.EPERM):
        return tr("there is no permission to write there, or the file is open in another program")
    if code == errno.EROFS:
        return tr("the folder is read-only")
    if code in (errno.ENOENT, errno.ENOTDIR):
        return tr("the folder does not exist")
    if code == errno.EISDIR:
        return tr("a folder of that name is in the way")
    if code == errno.ENAMETOOLONG:
        return tr("the file name is too long")
    text = (getattr(e, "strerror", None) or str(e) or "").strip()  # the system's own words for the rare rest
    if not text and isinstance(e, RuntimeError):  # GDAL's exceptions may say nothing: its last error does
        try:
            from osgeo import gdal

            text = (gdal.GetLastErrorMsg() or "").strip()
        except ImportError:
            pass
    sqlite_code = getattr(e, "sqlite_errorcode", None) if isinstance(e, sqlite3.Error) else None
    low = text.lower()
    if sqlite_code == SQLITE_FULL or any(t in low for t in _FULL_TEXTS):
        return tr("the disk is full")
    if (sqlite_code is not None and sqlite_code & 0xFF == SQLITE_IOERR) or write_failed(text) or \
            (not text and isinstance(e, (RuntimeError, sqlite3.Error))):
        if where and _nearly_full(where):
            return tr("the disk is full")
        return tr("the file could not be written (is the disk full, or the folder not writable?)")
    return text or type(e).__name__


def _remove(path: str) -> None:
    """Remove this run's temporary file, whatever mode it was given (Windows removes no read-only file)."""
    try:
        os.chmod(path, stat.S_IREAD | stat.S_IWRITE)
    except OSError:
        pass
    try:
        os.remove(path)
    except OSError:  # gone already, or held open elsewhere (Windows): nothing more to do
        pass


def _sync(path: str) -> None:
    """Flush the file to the disk: a network share or a delayed allocation may report a full disk only now."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in (errno.EINVAL, getattr(errno, "ENOTSUP", -1), getattr(errno, "EOPNOTSUPP", -1)):
            raise  # a file system that cannot sync says so with these; anything else is a failed write
    finally:
        os.close(fd)


def _temporary_name(folder: str, ext: str) -> str:
    """A new hidden name in `folder` for the file being written: short (the user's file name may use up the
    system's 255 bytes, in Chinese 3 a character), with the output's extension for writers that go by it."""
    if len(os.fsencode(ext)) > 16:  # not an extension a writer goes by
        ext = ""
    return os.path.join(folder, f".~{uuid.uuid4().hex[:12]}.part{ext}")


@contextmanager
def atomic_output(path: str) -> Iterator[str]:
    """Write the file at `path` whole or not at all.

    Yields the path of a new, empty temporary file beside `path` (in its folder, hidden: `.~<hex>.part<ext>`, the
    same extension, for writers that go by it) to write to. When the block ends without an exception the file is
    flushed to the disk (fsync: a network share or a delayed allocation may tell of a full disk only now), given the
    permissions of the file it replaces (a new file gets the user's umask, as open() would make it), and renamed
    onto `path` in one step (os.replace): readers see the old file or the new one, never a part of it.

    On any exception the temporary file is removed and the file at `path` is as it was. An OSError or
    OutputIncomplete becomes an OutputFileError (its text names `path`, the reason, and whether a file of that
    name is kept unchanged); anything else is raised as it is. A symbolic link at `path` is written through (its
    target is replaced), not replaced by a file. A read-only file at `path`: replaced on Linux and macOS where the
    folder's permissions decide, refused on Windows (the system does not replace it; nothing is left behind).
    """
    shown = os.path.abspath(path)  # the name the user chose, in the message
    target = os.path.realpath(shown)  # a symbolic link is written through, not replaced by a file
    folder, name = os.path.split(target)
    tmp = _temporary_name(folder, os.path.splitext(name)[1])
    kept = os.path.isfile(target)
    made = False
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the user's umask, as open() would
        made = True
        yield tmp
        if not os.path.isfile(tmp):
            raise OutputIncomplete(tr("the file was not written"))
        _sync(tmp)
        if kept:
            try:
                shutil.copymode(target, tmp)  # a report shared with others keeps its permissions
            except OSError:
                pass
        os.replace(tmp, target)
        made = False
    except (OSError, OutputIncomplete) as e:
        raise OutputFileError(shown, reason(e, folder), kept and os.path.isfile(target)) from None
    finally:
        if made:
            _remove(tmp)


def write_file(path: str, data: Union[bytes, str], encoding: str = "utf-8") -> str:
    """Write `data` (text is encoded in `encoding`, its line ends as they are) to `path`, all of it or nothing
    (OutputFileError); returns the path."""
    if isinstance(data, str):
        data = data.encode(encoding)
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
    return path


def save_workbook(workbook, path: str) -> str:
    """Save an openpyxl Workbook to `path`, all of it or nothing (OutputFileError). It is built in memory first:
    openpyxl leaves its zip open when a write fails."""
    buf = io.BytesIO()
    workbook.save(buf)
    return write_file(path, buf.getvalue())
