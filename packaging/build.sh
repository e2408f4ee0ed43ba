#!/usr/bin/env bash
# Build the till as a one-folder desktop bundle: dist/pos-app/ (start it as dist/pos-app/pos-app).
#
#   packaging/build.sh [--archive] [PYTHON]
#
# PYTHON (default: $PYTHON, else .venv/bin/python, else python3) must have pos_app and its
# dependencies installed (pip install -e . or pip install .) and PyInstaller
# (pip install 'pyinstaller>=6.10,<7'). --archive also packs dist/pos-app-VERSION-linux-ARCH.tar.gz.
# The bundle carries Python, Qt and resources/; the Linux desktop files (share/) and
# install.sh are copied beside the executable.
set -euo pipefail
cd "$(dirname "$0")/.."

archive=0
if [ "${1:-}" = "--archive" ]; then
  archive=1
  shift
fi
python=${1:-${PYTHON:-}}
if [ -z "$python" ]; then
  if [ -x .venv/bin/python ]; then python=.venv/bin/python; else python=python3; fi
fi
if ! "$python" -c "import PyInstaller, pos_app" 2>/dev/null; then
  echo "build.sh: $python needs pos_app and PyInstaller: $python -m pip install -e . 'pyinstaller>=6.10,<7'" >&2
  exit 2
fi

bundle=dist/pos-app
started=$(date +%s)
rm -rf "$bundle"
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/pos_app.spec

# Linux desktop integration, laid out as under a prefix, for install.sh.
mkdir -p "$bundle/share/applications" "$bundle/share/metainfo" "$bundle/share/icons"
cp packaging/linux/*.desktop "$bundle/share/applications/"
cp packaging/linux/*.metainfo.xml "$bundle/share/metainfo/"
cp -R packaging/icons/hicolor "$bundle/share/icons/"
cp packaging/linux/install.sh "$bundle/install.sh"
chmod +x "$bundle/install.sh"

echo "bundle: $bundle ($(du -sh "$bundle" | cut -f1)) built in $(($(date +%s) - started)) s"

if [ "$archive" = 1 ]; then
  version=$("$bundle/pos-app" --version | awk '{print $2}')
  tarball="dist/pos-app-$version-linux-$(uname -m).tar.gz"
  tar -C dist -czf "$tarball" pos-app
  echo "archive: $tarball ($(du -sh "$tarball" | cut -f1))"
fi
