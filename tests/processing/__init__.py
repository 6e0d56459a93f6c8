"""Tests of forestry_plugin/processing/: the algorithms through processing.run and qgis_process."""
