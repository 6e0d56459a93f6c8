"""Core of forestry_plugin: no GUI imports, runs headless, in qgis_process and in tests."""
