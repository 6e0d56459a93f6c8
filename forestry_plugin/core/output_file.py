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
import uuid
from contextlib import contextmanager
from typing import Iterator, Union

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


class OutputIncomplete(Exception):
    """Raised by a caller inside atomic_output when its writer reported no error but the file is not what it must
    be (QgsLayoutExporter says Success with a PDF cut short by a full disk); the text is the reason shown."""


def reason(e: BaseException) -> str:
    """Why a write failed, in the user's words."""
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
    text = getattr(e, "strerror", None) or str(e)  # the system's own words for the rare rest (an I/O error)
    return text or type(e).__name__


def _remove(path: str) -> None:
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


@contextmanager
def atomic_output(path: str) -> Iterator[str]:
    """Yield a new temporary file's path in `path`'s folder (same extension, for writers that go by it); when the
    block ends without an exception, the file is flushed to disk and replaces `path`. On any exception the temporary
    file is removed and `path` is untouched; an OSError or OutputIncomplete becomes an OutputFileError, anything
    else is raised as it is."""
    shown = os.path.abspath(path)  # the name the user chose, in the message
    target = os.path.realpath(shown)  # a symbolic link is written through, not replaced by a file
    folder, name = os.path.split(target)
    stem, ext = os.path.splitext(name)
    tmp = os.path.join(folder, f".{stem[:100]}.{uuid.uuid4().hex[:8]}.part{ext}")  # within NAME_MAX
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
        raise OutputFileError(shown, reason(e), kept and os.path.isfile(target)) from None
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
