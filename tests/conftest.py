"""Fixtures shared by the tests of several folders (those of one folder are in its conftest.py; builders that are
not fixtures are in tests/helpers/). pytest-qgis starts a real (offscreen) QgsApplication before these run."""

from __future__ import annotations

import os
import shutil

import pytest

from forestry_plugin.core import geopackage
from forestry_plugin.core.sample_county import generate_sample_county
from forestry_plugin.core.working_copy import create_working_copy
from tests.helpers import ARTIFACTS


@pytest.fixture(scope="session")
def sample_county_master(tmp_path_factory, qgis_app):
    """The sample county (seed 2025), generated once per session. Do not modify: copy it (`sample_county`)."""
    path = str(tmp_path_factory.mktemp("sample") / "sample_county.gpkg")
    return generate_sample_county(path, seed=2025)


@pytest.fixture()
def sample_county(sample_county_master, tmp_path):
    """A private, writable copy of the sample county (with its fault manifest) for one test."""
    import dataclasses

    dst = str(tmp_path / "sample_county.gpkg")
    shutil.copyfile(sample_county_master.path, dst)
    src_dir = os.path.dirname(sample_county_master.path)
    for name in os.listdir(src_dir):
        if name != os.path.basename(sample_county_master.path) and not name.endswith(("-wal", "-shm")):
            shutil.copyfile(os.path.join(src_dir, name), str(tmp_path / name))
    return dataclasses.replace(sample_county_master, path=dst,
                               manifest_path=str(tmp_path / os.path.basename(sample_county_master.manifest_path)))


PLATFORM_REFUSES = {"invalid_geometry", "area_mismatch", "attribute"}  # faults the platform itself refuses


@pytest.fixture()
def design_county(sample_county):
    """The sample county as a county uploads it to a platform that has none of it yet: every patch at design (the
    platform refuses new patches at later stages), without the patches whose labelled faults the platform refuses
    outright (invalid geometry, area mismatch, bad attributes)."""
    import dataclasses

    refused = [pid for pid, kinds in sample_county.faults.items() if PLATFORM_REFUSES & set(kinds)]
    with geopackage.connect(sample_county.path) as con:
        con.execute("UPDATE patches SET stage = 'design'")
        con.executemany("DELETE FROM patches WHERE patch_id = ?", [(pid,) for pid in refused])
        con.executemany("DELETE FROM sync_changes WHERE patch_id = ?", [(pid,) for pid in refused])  # never existed
        n = con.execute("SELECT COUNT(*) FROM patches").fetchone()[0]
    return dataclasses.replace(sample_county, patch_count=n,
                               faults={k: v for k, v in sample_county.faults.items() if k not in refused})


@pytest.fixture()
def empty_working_copy(tmp_path, qgis_app):
    """An empty working copy (all tables, default styles) in EPSG:4549."""
    path = str(tmp_path / "working_copy.gpkg")
    create_working_copy(path, county_code="339901", county_name="示例县")
    return path


@pytest.fixture()
def platform(tmp_path):
    """The reference platform on 127.0.0.1 (a free port) with its own database and base-map folder: (server, url)."""
    from reference_platform.server import start_server, stop_server

    server, url = start_server(str(tmp_path / "platform.sqlite"), basemap_dir=str(tmp_path / "basemaps"))
    yield server, url
    stop_server(server)


@pytest.fixture(scope="session")
def artifacts_dir():
    """test-artifacts/ (git-ignored): screenshots and rendered reports for people to look at."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True, scope="session")
def _no_layers_outlive_qgis(qgis_app):
    """Delete the map layers Python still holds before pytest-qgis calls exitQgis().

    Set up after pytest-qgis's session fixture, so torn down before it. Some layers survive their tests in kept
    tracebacks (Processing runs that raised); Python would destroy them at interpreter exit, after exitQgis()
    has closed GDAL, and an OGR layer closing its dataset then crashes QGIS 3.22.
    """
    yield
    import gc

    from qgis.core import QgsMapLayer
    from qgis.PyQt import sip

    gc.collect()
    for obj in gc.get_objects():
        if isinstance(obj, QgsMapLayer) and not sip.isdeleted(obj) and sip.ispyowned(obj):
            sip.delete(obj)
    gc.collect()


@pytest.fixture(autouse=True)
def _no_session_outlives_its_test():
    """A test that logs in (sync panel, engine) must not leave its platform session to the next test."""
    yield
    from forestry_plugin.core import identity

    identity.set_session(None)


@pytest.fixture()
def clean_settings(qgis_app):
    """The plugin's keys as they were before the test (other tests' panels read them)."""
    from qgis.core import QgsSettings

    raw = QgsSettings()
    before = {k: raw.value(k) for k in raw.allKeys() if k.startswith("forestry/")}
    yield raw
    for k in raw.allKeys():
        if k.startswith("forestry/") and k not in before:
            raw.remove(k)
    for k, v in before.items():
        raw.setValue(k, v)


@pytest.fixture()
def provider(qgis_processing):
    """The plugin's Processing provider (`forestry:` algorithms) registered for the test."""
    from qgis.core import QgsApplication

    from forestry_plugin.processing.provider import ForestryProvider

    p = ForestryProvider()
    QgsApplication.processingRegistry().addProvider(p)
    yield p
    QgsApplication.processingRegistry().removeProvider(p)


@pytest.fixture()
def zh(tmp_path, qgis_app):
    """The plugin in Chinese: the zh_CN translation compiled from i18n/ and installed for the test."""
    from forestry_plugin.i18n import ui_language
    from tests.helpers.translation import chinese

    with chinese(tmp_path) as translator:
        assert ui_language() == "zh"
        yield translator


@pytest.fixture()
def platform_logins(qgis_app):
    """demo_tech's login to the reference platform stored in QgsAuthManager (Basic), once with the right password
    and once with a wrong one: (good authcfg id, bad authcfg id)."""
    from tests.helpers.platform_logins import WRONG_PW, basic_logins

    with basic_logins(("platform ok", "demo_tech", None), ("platform bad", "demo_tech", WRONG_PW)) as ids:
        yield ids


@pytest.fixture()
def sync_panel(qgis_iface, qgis_new_project, design_county):
    """The upload/download panel on the design county's working copy (loaded into the project)."""
    from qgis.core import QgsProject

    from forestry_plugin.core.project import load_working_copy
    from forestry_plugin.gui.sync_panel import SyncPanel

    load_working_copy(design_county.path, QgsProject.instance())
    p = SyncPanel(qgis_iface)
    yield p
    p.kind_combo.setCurrentIndex(0)  # the next test's panel starts with the REST contract
    p.disconnect_project()
    p.deleteLater()
    QgsProject.instance().clear()


@pytest.fixture(scope="module")
def pg():
    """A real PostgreSQL/PostGIS server for the module's tests (tests/helpers/pg_server.py); skipped, with the
    reason, where PostgreSQL/PostGIS is not installed."""
    from tests.helpers.pg_server import PgServer

    why = PgServer.available()
    if why:
        pytest.skip(why)
    server = PgServer()
    yield server
    server.stop()


@pytest.fixture()
def full_disk(tmp_path, request):
    """A directory on a 20 KB file system of its own (tmpfs, mounted for the test): a full disk part way through
    writing. Another size through indirect parametrization, in mount's words:
    @pytest.mark.parametrize("full_disk", ["400k"], indirect=True). Skipped where mounting is not allowed (not root)."""
    import subprocess

    size = getattr(request, "param", None) or "20k"
    if shutil.which("mount") is None:
        pytest.skip("no mount command here: a small file system cannot be made")
    d = tmp_path / "small"
    d.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(d)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("a small file system cannot be mounted here (needs root): "
                    + mounted.stderr.decode(errors="replace").strip())
    try:
        yield d
    finally:
        import gc

        gc.collect()  # a dataset in a reference cycle is closed now, not whenever the collector runs
        if subprocess.run(["umount", str(d)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(d)], check=False)  # a file still open there: detached all the same
            pytest.fail(f"a file on {d} was left open by the code under test")
