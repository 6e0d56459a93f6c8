"""The `full_disk` fixture's small file system (tests/conftest.py) filled to its last byte, or made read-only: a full
disk or an unwritable folder (root writes anywhere a mode says it may not; a read-only mount stops root too)."""

from __future__ import annotations

import errno
import os
import subprocess

FILLER = "filler.bin"  # the file that takes the space: not an output


def fill(folder) -> str:
    """Take every free byte of `folder`'s file system with FILLER; its path."""
    path = os.path.join(str(folder), FILLER)
    with open(path, "ab", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
    return path


def read_only(folder) -> None:
    """Remount `folder` (the mount point of `full_disk`) read-only: nothing can be made or changed in it."""
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)


def outputs(folder) -> list:
    """The files in `folder` but FILLER, hidden ones included, sorted: what a writer made or left."""
    return sorted(n for n in os.listdir(str(folder)) if n != FILLER)
