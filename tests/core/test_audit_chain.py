"""The audit log's hash chain in the working copy: every way of rewriting it outside the plugin is detected."""

from __future__ import annotations

import sqlite3

import pytest
from osgeo import ogr

from forestry_plugin import schema
from forestry_plugin.core import audit, audit_chain, geopackage, workflow
from tests.helpers.working_copies import make_patches, new_copy, who


@pytest.fixture()
def wc(tmp_path, qgis_app):
    path = new_copy(tmp_path, "audit.gpkg")
    patches = make_patches(path, ["accepted", "accepted", "county_checked"])
    assert workflow.transition(path, [p["patch_id"] for p in patches[:2]], "confirmed",
                               who("county_reviewer", "demo_county")).applied
    assert workflow.return_patches(path, [patches[2]["patch_id"]], "design", "other", "补植",
                                   user=who("city_reviewer", "demo_city")).applied
    assert audit.problems(path) == []
    return path


def raw(path):
    con = sqlite3.connect(path)
    con.isolation_level = None
    return con


def test_chain_links_every_row(wc):
    rows = audit.rows_after(wc, 0)
    assert len(rows) == 3
    assert rows[0]["prev_hash"] == audit_chain.GENESIS
    for a, b in zip(rows, rows[1:]):
        assert b["prev_hash"] == a["row_hash"]
    assert all(r["row_hash"] == audit_chain.row_hash(r, r["prev_hash"]) for r in rows)
    assert rows[0]["user_name"] == "demo_county" and rows[2]["user_name"] == "demo_city"


def test_update_delete_and_replace_are_refused(wc):
    con = raw(wc)
    for sql in (f"UPDATE {schema.AUDIT} SET user_name = 'demo_province'",
                f"DELETE FROM {schema.AUDIT}",
                f"INSERT OR REPLACE INTO {schema.AUDIT} (fid, patch_id, action, user_name, at) "
                "VALUES (1, 'x', 'transition', 'demo_province', '2025-01-01T00:00:00.000Z')"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute(sql)
    con.close()
    assert audit.problems(wc) == []


def test_dropped_triggers_and_a_rewritten_row_are_detected(wc):
    con = raw(wc)
    for name in audit.TRIGGERS:
        con.execute(f'DROP TRIGGER "{name}"')
    con.execute(f"INSERT OR REPLACE INTO {schema.AUDIT} (fid, patch_id, action, from_stage, to_stage, user_name, role, "
                f"patch_version, at, prev_hash, row_hash) SELECT fid, patch_id, action, from_stage, to_stage, "
                f"'demo_province', 'province_reviewer', patch_version, at, prev_hash, row_hash FROM {schema.AUDIT} "
                "WHERE fid = 1")
    con.close()
    found = audit.problems(wc)
    assert any("protection was removed" in p for p in found)
    assert any(p.startswith("row 1 ") and "row_hash" in p for p in found)
    # opening the copy again must not quietly put the protection back
    workflow.upgrade_working_copy(wc)
    assert any("protection was removed" in p for p in audit.problems(wc))
    with pytest.raises(audit.AuditTampered):
        audit.verify(wc)


def test_removed_rows_are_detected(wc):
    con = raw(wc)
    con.execute(f'DROP TRIGGER "{schema.AUDIT}_no_delete"')
    con.execute(f"DELETE FROM {schema.AUDIT} WHERE fid = 3")  # the last row: the chain itself still links
    con.close()
    assert any("rows were removed" in p for p in audit.problems(wc))


def test_table_dropped_through_ogr_is_detected(wc):
    ds = ogr.Open(wc, update=1)
    for i in range(ds.GetLayerCount()):
        if ds.GetLayer(i).GetName() == schema.AUDIT:
            ds.DeleteLayer(i)
            break
    ds = None
    assert audit.problems(wc) == ["the audit log table is missing"]
    # recreated empty with the same columns (what a careless "repair" would do): the head still knows 3 rows
    ds = ogr.Open(wc, update=1)
    geopackage.create_layer(ds, schema.LAYER[schema.AUDIT], None)
    ds = None
    workflow.upgrade_working_copy(wc)
    assert any("rows were removed" in p for p in audit.problems(wc))


def test_copy_made_before_the_chain_is_sealed_once(tmp_path, qgis_app):
    path = new_copy(tmp_path, "old.gpkg")
    con = raw(path)  # make it look like a copy from before the chain: no head, no hashes, old triggers
    con.execute(f"DROP TABLE {audit.HEAD_TABLE}")
    con.execute(f"DELETE FROM {geopackage.SETTINGS_TABLE} WHERE key = ?", (audit.CHAIN_SETTING,))
    con.execute(f'DROP TRIGGER "{schema.AUDIT}_no_replace"')
    con.execute(f"INSERT INTO {schema.AUDIT} (patch_id, action, from_stage, to_stage, user_name, role, patch_version, "
                "at) VALUES ('p1', 'transition', 'accepted', 'confirmed', 'old', 'county_reviewer', 2, "
                "'2024-05-01T00:00:00.000Z')")
    con.close()
    workflow.upgrade_working_copy(path)
    assert audit.problems(path) == []
    (row,) = audit.rows_after(path, 0)
    assert row["row_hash"] == audit_chain.row_hash(row, audit_chain.GENESIS)
    # once sealed, losing the head again is tampering, not an old copy
    con = raw(path)
    con.execute(f"DROP TABLE {audit.HEAD_TABLE}")
    con.close()
    workflow.upgrade_working_copy(path)
    assert audit.problems(path) == ["the audit log's head record is missing (the log was replaced)"]
