"""The patches' change journal (geopackage.CHANGES_TABLE, kept by SQLite triggers) and how the live checker learns of
changes from it: any writer (plain SQL, QGIS through OGR) is seen, old copies are upgraded, and without a usable
journal (not upgradable, triggers dropped) the checker falls back to comparing revisions and stays correct."""

from __future__ import annotations

import os
import sqlite3

import pytest
import shapely
from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsVectorLayer
from qgis.PyQt.QtCore import QVariant

from forestry_plugin import schema
from forestry_plugin.core import geopackage as gp
from forestry_plugin.core.checks import rules as R
from forestry_plugin.core.checks.gpkg_io import gpkg_blobs
from forestry_plugin.core.checks.live import LiveChecker
from forestry_plugin.core.workflow import upgrade_working_copy

JOURNAL = [gp.CHANGES_TABLE, *gp.CHANGE_TRIGGERS]


def objects(path):
    with sqlite3.connect(path) as con:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master")}


def rows(path):
    """(fid, patch_id, year, shapely geometry) of every patch, by fid."""
    with gp.connect(path) as con:
        out = con.execute("SELECT fid, patch_id, year, geom FROM patches ORDER BY fid").fetchall()
    return [(f, p, y, shapely.from_wkb(gp.wkb_from_blob(bytes(b))) if b is not None else None) for f, p, y, b in out]


def blob(con, geom):
    srs_id = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'patches'").fetchone()[0]
    multi = shapely.MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom
    return gpkg_blobs([shapely.to_wkb(multi)], [multi], srs_id)[0]


def set_geom(path, fid, geom, bump=False):
    """A plain SQL write of one patch's geometry (optionally with a revision bump, as the plugin's edits do)."""
    with gp.connect(path) as con:
        con.execute("UPDATE patches SET geom = ?" + (", revision = COALESCE(revision, 0) + 1" if bump else "")
                    + " WHERE fid = ?", (blob(con, geom), fid))


def same_year_pair(path):
    """Two patches (fid, patch_id, geometry) of the same year that do not overlap: moving the first onto the second
    makes a patch overlap."""
    rs = [r for r in rows(path) if r[3] is not None and r[1]]
    for a in rs:
        for b in rs:
            if a is not b and a[2] == b[2] and a[2] is not None and not a[3].intersects(b[3]) and b[3].area > 500:
                return (a[0], a[1], a[3]), (b[0], b[1], b[3])
    raise AssertionError("no pair")


def onto(geom):
    """A square inside `geom` (so a patch there overlaps it)."""
    c = geom.representative_point()
    return shapely.box(c.x - 8, c.y - 8, c.x + 8, c.y + 8)


def findings(checker, path):
    """{patch id: sorted (rule, other id, message)} of every patch with an id and a geometry, as it is stored."""
    out = {}
    for _fid, a, g in gp.read_features(path, schema.PATCHES):
        pid = a.get("patch_id")
        if g is not None and pid:
            out[pid] = sorted((f.rule, f.other_id or "", f.message)
                              for f in checker.check_patch(shapely.from_wkb(bytes(g)), a, pid))
    return out


def columns(path):
    with sqlite3.connect(path) as con:
        return [r[1] for r in con.execute("PRAGMA table_info(patches)")]


def assert_as_fresh(live, path):
    """The checker finds for every patch exactly what a checker built from scratch finds; returns the findings."""
    mine, theirs = findings(live, path), findings(LiveChecker(path), path)
    assert mine == theirs
    return mine


def overlaps(found, pid):
    return {o for _r, o, _m in found.get(pid, []) if _r == R.PATCH_OVERLAP}


def make_old(path):
    """The copy as an earlier version made it: no journal."""
    with sqlite3.connect(path) as con:
        for t in gp.CHANGE_TRIGGERS:
            con.execute(f'DROP TRIGGER "{t}"')
        con.execute(f"DROP TABLE {gp.CHANGES_TABLE}")
        con.execute(f"DELETE FROM {gp.SETTINGS_TABLE} WHERE key IN (?, ?)",
                    (gp.CHANGES_EPOCH_SETTING, gp.CHANGES_PRUNED_SETTING))
    assert not set(JOURNAL) & objects(path)


def patches_layer(path):
    layer = QgsVectorLayer(gp.layer_uri(path, schema.PATCHES), "patches", "ogr")
    assert layer.isValid()
    return layer


def test_new_working_copy_has_the_journal_and_it_is_no_layer(empty_working_copy):
    path = empty_working_copy
    assert set(JOURNAL) <= objects(path)
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT 1 FROM gpkg_contents WHERE table_name = ?", (gp.CHANGES_TABLE,)).fetchone() is None
        assert gp.change_journal_epoch(con)  # a token
        sql = " ".join(r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE name IN (?, ?, ?)",
                                                  tuple(gp.CHANGE_TRIGGERS)))
    assert "ST_" not in sql.upper().replace("FIRST_", "")  # plain SQL: any program can write the file
    from osgeo import ogr

    ds = ogr.Open(path)
    assert gp.CHANGES_TABLE not in {ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())}
    ds = None
    layer = patches_layer(path)  # QGIS lists the tables it may load: not the journal
    assert not [s for s in layer.dataProvider().subLayers() if gp.CHANGES_TABLE in s]


def test_journal_numbers_every_writer_and_is_not_undone_by_an_outer_conflict_clause(empty_working_copy):
    """Every write appends its fid under the next number; an outer OR ABORT / OR IGNORE (which SQLite makes the
    conflict policy of the trigger's own statements) neither makes the journal refuse a fid it holds nor skip it."""
    path = empty_working_copy
    with gp.connect(path) as con:
        g = blob(con, shapely.box(500000, 3330000, 500050, 3330050))
        con.execute("INSERT INTO patches (fid, patch_id, geom) VALUES (7, 'a', ?)", (g,))
        con.execute("INSERT INTO patches (fid, patch_id, geom) VALUES (8, 'b', ?)", (g,))
        con.execute("UPDATE patches SET remark = 'x' WHERE fid = 7")
        con.execute("DELETE FROM patches WHERE fid = 8")
        con.execute("INSERT OR ABORT INTO patches (fid, patch_id, geom) VALUES (8, 'c', ?)", (g,))
        con.execute("UPDATE OR IGNORE patches SET fid = 9 WHERE fid = 7")  # 7 gone, 9 written
        got = con.execute(f"SELECT seq, fid FROM {gp.CHANGES_TABLE} ORDER BY seq").fetchall()
    assert got == [(1, 7), (2, 8), (3, 7), (4, 8), (5, 8), (6, 7), (7, 9)]


def test_journal_is_pruned_by_the_upgrade_path_and_a_checker_reading_it_stays_right(sample_county, monkeypatch):
    """Once PRUNE_AFTER entries were added since the last prune, the upgrade keeps the last entry of each fid (the
    last of all included: numbers never go back); a checker that read the journal halfway misses nothing."""
    path = sample_county.path
    (fa, pa, ga), (fb, pb, gb) = same_year_pair(path)
    live = LiveChecker(path)
    for k in range(3):
        set_geom(path, fa, shapely.affinity.translate(ga, k + 1.0, 0.0))
    assert live.refresh_patches() == 1
    set_geom(path, fa, onto(gb))
    set_geom(path, fb, shapely.affinity.translate(gb, 0.5, 0.0))
    with sqlite3.connect(path) as con:
        before = con.execute(f"SELECT COUNT(*), COUNT(DISTINCT fid), max(seq) FROM {gp.CHANGES_TABLE}").fetchone()
    assert before[0] > before[1]
    assert gp.ensure_change_journal(path) is False  # not due
    monkeypatch.setattr(gp, "PRUNE_AFTER", 4)
    assert gp.ensure_change_journal(path) is True
    with sqlite3.connect(path) as con:
        after = con.execute(f"SELECT COUNT(*), COUNT(DISTINCT fid), max(seq) FROM {gp.CHANGES_TABLE}").fetchone()
        assert con.execute(f"SELECT seq FROM {gp.CHANGES_TABLE} WHERE fid = ?", (fb,)).fetchall() == [(before[2],)]
    assert after == (before[1], before[1], before[2])
    assert gp.ensure_change_journal(path) is False  # pruned: not due again, nothing written
    assert live.refresh_patches() == 2 and live.last_refresh == "journal"
    assert pb in overlaps(assert_as_fresh(live, path), pa)
    set_geom(path, fa, ga)
    assert live.refresh_patches() == 1  # numbered after the last of all, as before the prune


def test_geometry_changed_by_plain_sql_without_revision_bump_is_seen(sample_county):
    """(a) A geometry changed with a plain UPDATE (no revision or change time bump) is taken in."""
    path = sample_county.path
    (fa, pa, _ga), (_fb, pb, gb) = same_year_pair(path)
    live = LiveChecker(path)
    assert pb not in overlaps(findings(live, path), pa)
    set_geom(path, fa, onto(gb))
    assert live.refresh_patches() == 1 and live.last_refresh == "journal"
    found = assert_as_fresh(live, path)
    assert pb in overlaps(found, pa) and pa in overlaps(found, pb)
    assert live.refresh_patches() == 0


def test_edits_through_a_qgis_layer_are_seen(sample_county):
    """(b) A geometry changed through a QGIS layer on the GeoPackage (OGR writes it, no revision bump)."""
    path = sample_county.path
    (fa, pa, _ga), (_fb, pb, gb) = same_year_pair(path)
    live = LiveChecker(path)
    layer = patches_layer(path)
    assert layer.startEditing()
    assert layer.changeGeometry(fa, QgsGeometry.fromWkt(onto(gb).wkt))
    assert layer.commitChanges(), layer.commitErrors()
    assert live.refresh_patches() == 1 and live.last_refresh == "journal"
    found = assert_as_fresh(live, path)
    assert pb in overlaps(found, pa)


def test_inserts_and_deletes_through_qgis_are_seen(sample_county):
    """(c) A feature added and one deleted through QGIS, with a geometry changed in the same commit."""
    path = sample_county.path
    (fa, pa, _ga), (fb, pb, gb) = same_year_pair(path)
    live = LiveChecker(path)
    layer = patches_layer(path)
    template = layer.getFeature(fa)
    gone = next(f for f in layer.getFeatures() if f.id() not in (fa, fb) and f["patch_id"])
    assert layer.startEditing()
    new = QgsFeature(layer.fields())
    new.setAttributes(template.attributes())
    new.setAttribute(new.fieldNameIndex("fid"), None)
    new.setAttribute(new.fieldNameIndex("patch_id"), "bbbbbbbb-0000-4000-8000-00000000000c")
    new.setGeometry(QgsGeometry.fromWkt(onto(gb).buffer(2).wkt))
    assert layer.addFeature(new)
    assert layer.deleteFeature(gone.id())
    assert layer.changeGeometry(fa, QgsGeometry.fromWkt(onto(gb).wkt))
    assert layer.commitChanges(), layer.commitErrors()
    assert live.refresh_patches() == 3 and live.last_refresh == "journal"
    found = assert_as_fresh(live, path)
    assert "bbbbbbbb-0000-4000-8000-00000000000c" in overlaps(found, pb) and pb in overlaps(found, pa)
    assert not any(gone["patch_id"] == o for fs in found.values() for _r, o, _m in fs)


def test_old_copy_is_upgraded_and_while_it_cannot_be_the_revisions_are_compared(sample_county):
    """(d) A copy without the journal: locked, it stays so and the checker compares revisions (a bumped change is
    seen, a silent one is not: the fallback's blind spot); upgraded, the checker reads everything once, then the
    journal; a second upgrade writes nothing."""
    path = sample_county.path
    make_old(path)
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another program writing
    try:
        assert gp.ensure_change_journal(path, timeout=0.1) is False
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert not set(JOURNAL) & objects(path)
    (fa, pa, ga), (fb, pb, gb) = same_year_pair(path)
    live = LiveChecker(path)
    victim = next(r for r in rows(path) if r[0] not in (fa, fb))
    set_geom(path, fa, onto(gb), bump=True)
    with gp.connect(path) as con:
        con.execute("DELETE FROM patches WHERE fid = ?", (victim[0],))
    assert live.refresh_patches() == 2 and live.last_refresh == "stamps"
    found = assert_as_fresh(live, path)
    assert pb in overlaps(found, pa)
    set_geom(path, fa, ga)  # moved back without a bump: the stamps cannot tell
    assert live.refresh_patches() == 0
    upgrade_working_copy(path)
    assert set(JOURNAL) <= objects(path)
    live.refresh_patches()
    assert live.last_refresh == "full"  # a journal it did not know: everything once
    found = assert_as_fresh(live, path)
    assert pb not in overlaps(found, pa)
    set_geom(path, fa, onto(gb))  # silent again: the journal sees it
    assert live.refresh_patches() == 1 and live.last_refresh == "journal"
    assert pb in overlaps(assert_as_fresh(live, path), pa)
    before = (os.stat(path).st_mtime_ns, os.stat(path).st_size)
    assert gp.ensure_change_journal(path) is False
    upgrade_working_copy(path)  # there already: not a byte written
    assert (os.stat(path).st_mtime_ns, os.stat(path).st_size) == before


def test_triggers_dropped_the_revisions_are_compared_and_put_back_everything_is_read(sample_county):
    """(e) Triggers dropped (by hand, another tool): the checker sees it and compares revisions, and is still
    right; put back by the upgrade, the changes made meanwhile are read with everything else."""
    path = sample_county.path
    (fa, pa, ga), (fb, pb, gb) = same_year_pair(path)
    live = LiveChecker(path)
    with sqlite3.connect(path) as con:
        for t in gp.CHANGE_TRIGGERS:
            con.execute(f'DROP TRIGGER "{t}"')
    victim = next(r for r in rows(path) if r[0] not in (fa, fb))
    set_geom(path, fa, onto(gb), bump=True)
    with gp.connect(path) as con:
        con.execute("DELETE FROM patches WHERE fid = ?", (victim[0],))
    template = next(iter(gp.read_features(path, "patches")))[1]
    new = {k: v for k, v in template.items() if k != "fid"}
    new.update(patch_id="bbbbbbbb-0000-4000-8000-00000000000e", tuban_no="NEW-E")
    gp.write_features(path, "patches", [(new, shapely.to_wkb(shapely.MultiPolygon([onto(ga)])))])
    assert live.refresh_patches() == 3 and live.last_refresh == "stamps"  # not 0 from a journal that is silent
    found = assert_as_fresh(live, path)
    assert pb in overlaps(found, pa) and pa not in overlaps(found, "bbbbbbbb-0000-4000-8000-00000000000e")
    set_geom(path, fa, shapely.affinity.translate(ga, 1.0, 0.0))  # silent, triggers still gone
    assert live.refresh_patches() == 0
    assert gp.ensure_change_journal(path) is True  # put back
    live.refresh_patches()
    assert live.last_refresh == "full"
    found = assert_as_fresh(live, path)
    assert pb not in overlaps(found, pa)
    assert live.refresh_patches() == 0 and live.last_refresh == "journal"


def test_journal_survives_fields_added_and_removed_through_qgis(sample_county):
    """(f) QGIS adds a field to the patches layer through its provider (GDAL: ALTER TABLE ADD COLUMN) and removes it
    again (GDAL 3.6 with SQLite >= 3.35: ALTER TABLE DROP COLUMN): the triggers stay, and the journal still sees
    a silent geometry change made through QGIS afterwards."""
    path = sample_county.path
    (fa, pa, ga), (_fb, pb, gb) = same_year_pair(path)
    live = LiveChecker(path)
    layer = patches_layer(path)
    assert layer.dataProvider().addAttributes([QgsField("survey_note", QVariant.String)])
    layer.updateFields()
    assert "survey_note" in columns(path)
    assert set(JOURNAL) <= objects(path)
    assert layer.startEditing()
    assert layer.changeGeometry(fa, QgsGeometry.fromWkt(onto(gb).wkt))
    assert layer.commitChanges(), layer.commitErrors()
    assert live.refresh_patches() == 1 and live.last_refresh == "journal"
    assert pb in overlaps(assert_as_fresh(live, path), pa)
    assert layer.dataProvider().deleteAttributes([layer.fields().indexOf("survey_note")])
    layer.updateFields()
    assert "survey_note" not in columns(path)
    assert set(JOURNAL) <= objects(path)
    assert layer.startEditing()
    assert layer.changeGeometry(fa, QgsGeometry.fromWkt(ga.wkt))
    assert layer.commitChanges(), layer.commitErrors()
    assert live.refresh_patches() == 1 and live.last_refresh == "journal"
    assert pb not in overlaps(assert_as_fresh(live, path), pa)


@pytest.mark.parametrize("upgrade", [False, True])
def test_another_file_or_a_journal_gone_back_is_read_whole(sample_county, tmp_path, upgrade):
    """A journal whose numbers went back (the file replaced by an older copy of itself) is not trusted."""
    path = sample_county.path
    import shutil

    older = str(tmp_path / "older.gpkg")
    shutil.copyfile(path, older)
    (fa, _pa, _ga), (_fb, _pb, gb) = same_year_pair(path)
    live = LiveChecker(path)
    for k in range(3):
        set_geom(path, fa, shapely.affinity.translate(onto(gb), k, 0))
        assert live.refresh_patches() == 1
    if upgrade:
        make_old(older)
        gp.ensure_change_journal(older)  # the same file, its journal made anew: another token
    shutil.copyfile(older, path)
    live.refresh_patches()
    assert live.last_refresh == "full"
    assert_as_fresh(live, path)


def test_a_table_of_that_name_that_is_not_the_journal_is_left_alone(sample_county):
    """Triggers writing into someone else's patch_changes would make every write to the patches fail: none are
    installed, and the checker compares revisions."""
    path = sample_county.path
    make_old(path)
    with sqlite3.connect(path) as con:
        con.execute(f"CREATE TABLE {gp.CHANGES_TABLE} (change_id TEXT, note TEXT)")
    assert gp.ensure_change_journal(path) is False
    assert not set(gp.CHANGE_TRIGGERS) & objects(path)
    (fa, pa, _ga), (_fb, pb, gb) = same_year_pair(path)
    live = LiveChecker(path)
    set_geom(path, fa, onto(gb), bump=True)  # writes still work
    assert live.refresh_patches() == 1 and live.last_refresh == "stamps"
    assert pb in overlaps(assert_as_fresh(live, path), pa)
