"""Tests of forestry_plugin/core/checks/."""
