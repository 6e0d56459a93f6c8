"""The test suite, laid out as the code is: tests/core/ for forestry_plugin/core/, tests/gui/, tests/processing/,
tests/platform/ for reference_platform/, tests/real_qgis/ for whole QGIS windows; builders in tests/helpers/."""
