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
