"""Tests of forestry_plugin/gui/: docks, panels, map tools and dialogs driven in QGIS through pytest-qgis."""
