"""Tests of forestry_plugin/core/sync/, against the reference platform, faults and a real WFS-T server."""
