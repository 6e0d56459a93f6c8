#!/usr/bin/env bash
# Set up everything `make test` and `make demo` need on a fresh Debian 12 machine.
# Idempotent: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
APT_PACKAGES="python3-qgis qgis qgis-providers xvfb fonts-noto-cjk qttools5-dev-tools pyqt5-dev-tools poppler-utils python3-venv zip libgeos-dev python3-dev build-essential qgis-server-wfs cgi-mapserver postgresql-15-postgis-3"

missing=""
for p in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV with the system Python (QGIS lives there)"
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
fi
stamp="$VENV/.requirements-installed"
if [ ! -f "$stamp" ] || [ requirements-dev.txt -nt "$stamp" ]; then
  echo "setup: installing Python packages into $VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt
  touch "$stamp"
fi
# One GEOS per process: QGIS (qgis.bin, qgis_process.bin) has the system GEOS loaded, and a shapely wheel from PyPI
# brings its own copy; mixed, shapely.contains_xy crashes QGIS. Build shapely against the system GEOS.
if "$VENV/bin/python" -c "import os, shapely, sys; sys.exit(0 if os.path.isdir(os.path.join(os.path.dirname(os.path.dirname(shapely.__file__)), 'shapely.libs')) else 1)"; then
  echo "setup: rebuilding shapely against the system GEOS ($(geos-config --version))"
  "$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps --no-binary shapely "shapely>=2,<3"
fi
"$VENV/bin/python" -c "import qgis.core, shapely, numpy, openpyxl; assert shapely.__version__ >= '2'; assert int(numpy.__version__.split('.')[0]) < 2"
