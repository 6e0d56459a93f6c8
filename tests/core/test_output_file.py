"""core.output_file: a file the user asked for is written whole or not at all, on a real full disk and a real
read-only folder (the `full_disk` tmpfs), and a file already there survives a failed overwrite."""

from __future__ import annotations

import os
import stat

import pytest

from forestry_plugin.core.output_file import OutputFileError, OutputIncomplete, atomic_output, write_file
from tests.helpers.disk import fill, outputs, read_only


def test_a_full_disk_saves_nothing_and_says_so(full_disk):
    fill(full_disk)
    out = full_disk / "r.json"
    with pytest.raises(OutputFileError) as e:
        write_file(str(out), "{}" * 100)
    assert str(e.value) == f"Could not write {out}: the disk is full. Nothing was saved."
    assert isinstance(e.value, OSError) and outputs(full_disk) == []  # no r.json, no temporary file


def test_a_failed_overwrite_keeps_the_file_that_was_there(full_disk):
    out = full_disk / "r.json"
    write_file(str(out), "old report")
    fill(full_disk)
    with pytest.raises(OutputFileError) as e:
        write_file(str(out), "new report " * 1000)
    assert "the disk is full" in str(e.value) and "The file that was there is unchanged" in str(e.value)
    assert out.read_text(encoding="utf-8") == "old report" and outputs(full_disk) == ["r.json"]


def test_a_read_only_folder_keeps_the_file_that_was_there(full_disk):
    out = full_disk / "r.json"
    write_file(str(out), "old report")
    read_only(full_disk)
    with pytest.raises(OutputFileError) as e:
        write_file(str(out), "new")
    assert "the folder is read-only" in str(e.value) and "unchanged" in str(e.value), str(e.value)
    assert out.read_text(encoding="utf-8") == "old report" and outputs(full_disk) == ["r.json"]


def test_a_missing_folder_is_named(tmp_path):
    out = tmp_path / "no such folder" / "r.json"
    with pytest.raises(OutputFileError) as e:
        write_file(str(out), "x")
    assert "the folder does not exist" in str(e.value) and "Nothing was saved" in str(e.value)


def test_a_written_file_replaces_the_old_one_and_keeps_its_permissions(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("old", encoding="utf-8")
    os.chmod(out, 0o640)
    assert write_file(str(out), "新的报告") == str(out)
    assert out.read_text(encoding="utf-8") == "新的报告" and stat.S_IMODE(os.stat(out).st_mode) == 0o640
    new = tmp_path / "n.json"
    write_file(str(new), b"\x00\x01")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(new).st_mode) == 0o666 & ~umask  # as open() makes it, not mkstemp's 0600
    assert sorted(os.listdir(tmp_path)) == ["n.json", "r.json"]


def test_a_writer_that_fails_or_comes_out_incomplete_leaves_nothing(tmp_path):
    out = tmp_path / "m.pdf"
    out.write_bytes(b"old")
    with pytest.raises(ValueError, match="bad data"):  # not a file-system error: raised as it is
        with atomic_output(str(out)) as tmp:
            assert os.path.dirname(tmp) == str(tmp_path) and tmp.endswith(".pdf")
            raise ValueError("bad data")
    with pytest.raises(OutputFileError) as e:
        with atomic_output(str(out)) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(b"%PDF-")
            raise OutputIncomplete("the PDF was cut short")
    assert "the PDF was cut short" in str(e.value) and "unchanged" in str(e.value)
    assert out.read_bytes() == b"old" and os.listdir(tmp_path) == ["m.pdf"]


def test_a_rules_profile_saved_on_a_full_disk_leaves_no_empty_file(full_disk):
    """RuleProfile.save_file (the RULES file of forestry:checkpatches): it used to raise the bare '[Errno 28] No
    space left on device' and leave an empty rules.json, which the next check refuses as 'not valid JSON'."""
    from forestry_plugin.core.checks.profile import RuleProfile

    fill(full_disk)
    out = full_disk / "rules.json"
    with pytest.raises(OutputFileError) as e:
        RuleProfile.default().save_file(str(out))
    assert str(e.value) == f"Could not write {out}: the disk is full. Nothing was saved."
    assert outputs(full_disk) == []


def test_a_long_chinese_file_name_is_written(tmp_path):
    """82 Chinese characters are 246 bytes (+ .json: 251, within the system's 255): the temporary name beside it
    used to take the first 100 characters of the stem and fail with 'the file name is too long'."""
    out = tmp_path / ("林业图斑检查报告" * 10 + "附表.json")
    assert len(out.name) == 87 and len(os.fsencode(out.name)) == 251
    write_file(str(out), "{}")
    assert out.read_text(encoding="utf-8") == "{}" and os.listdir(tmp_path) == [out.name]
    write_file(str(out), "[]")  # and over the file that is there
    assert out.read_text(encoding="utf-8") == "[]" and os.listdir(tmp_path) == [out.name]


def test_a_read_only_file_refused_as_windows_does_leaves_no_temporary_file(tmp_path, monkeypatch):
    """Windows replaces no read-only file and removes no read-only file: the temporary file, given the read-only
    mode of the file it was to replace, used to stay beside it as a .part."""
    out = tmp_path / "r.json"
    out.write_text("old", encoding="utf-8")
    os.chmod(out, 0o444)
    real_replace, real_remove = os.replace, os.remove

    def writable(p):
        return os.stat(p).st_mode & stat.S_IWRITE

    def replace(src, dst):
        if os.path.exists(dst) and not writable(dst):
            raise PermissionError(13, "Access is denied", str(dst))
        return real_replace(src, dst)

    def remove(p):
        if not writable(p):
            raise PermissionError(13, "Access is denied", str(p))
        return real_remove(p)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "remove", remove)
    with pytest.raises(OutputFileError) as e:
        write_file(str(out), "new")
    monkeypatch.undo()
    os.chmod(out, 0o644)
    assert "there is no permission to write there" in str(e.value) and "unchanged" in str(e.value), str(e.value)
    assert out.read_text(encoding="utf-8") == "old" and os.listdir(tmp_path) == ["r.json"]


def test_reason_reads_sqlite_and_gdal(tmp_path, zh):
    """SQLite's and GDAL's errors carry no errno: their full disk is the user's 'the disk is full' too, in the
    user's language; a GDAL write failure that does not say why is a full disk where the disk has no space."""
    import sqlite3

    from forestry_plugin.core.output_file import reason

    full = sqlite3.OperationalError("database or disk is full")
    assert reason(full) == "磁盘已满"
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (x)")
    con.execute("PRAGMA max_page_count = 2")  # SQLite's own SQLITE_FULL, with its code
    with pytest.raises(sqlite3.OperationalError) as raised:
        con.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 100)
    con.close()
    assert getattr(raised.value, "sqlite_errorcode", 13) == 13 and reason(raised.value) == "磁盘已满"
    assert reason(RuntimeError("Failure seeking to position before writing DBF record 17.")) == \
        reason(RuntimeError("Failure writing DBF record 3.")) != "磁盘已满"
    assert reason(RuntimeError("write(): No space left on device")) == "磁盘已满"
    assert reason(OSError(28, "No space left on device")) == "磁盘已满"


@pytest.mark.parametrize("full_disk", ["4m"], indirect=True)  # more than the 1 MB "almost full"
def test_a_gdal_write_failure_on_a_full_disk_is_a_full_disk(full_disk):
    from forestry_plugin.core.output_file import reason

    failed = RuntimeError("Failure seeking to position before writing DBF record 17.")
    assert reason(failed, str(full_disk)) != "the disk is full"
    fill(full_disk)
    assert reason(failed, str(full_disk / "p.shp")) == "the disk is full"
