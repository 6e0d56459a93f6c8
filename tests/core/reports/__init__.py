"""Tests of forestry_plugin/core/reports/."""
