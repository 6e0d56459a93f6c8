"""Tests that start a real QGIS window (qgis.bin under Xvfb): the packaged plugin, walkthroughs, screenshots."""
