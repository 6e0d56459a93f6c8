"""Tests of forestry_plugin/core/ (no GUI imports in the code under test), one folder per subpackage."""
