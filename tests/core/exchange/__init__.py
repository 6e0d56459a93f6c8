"""Tests of forestry_plugin/core/exchange/."""
