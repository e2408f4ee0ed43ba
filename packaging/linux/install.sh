#!/bin/sh
# Install the till from its unpacked bundle folder (the folder this script is in).
#
#   ./install.sh                 for this user: ~/.local/opt/pos-app, ~/.local/bin/pos-app,
#                                menu entry and icons under ~/.local/share
#   sudo ./install.sh --system   for everyone: /opt/pos-app, /usr/local/bin/pos-app,
#                                menu entry and icons under /usr/local/share
#   ./install.sh --uninstall [--system]
#
# The till's own data (sales journal, settings, logs) is never touched by this script.
set -eu

app_id=in.posapp.Till
here=$(cd "$(dirname "$0")" && pwd)

scope=user
action=install
for arg in "$@"; do
  case "$arg" in
    --system) scope=system ;;
    --uninstall) action=uninstall ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ "$scope" = system ]; then
  opt=/opt/pos-app
  bin=/usr/local/bin
  share=/usr/local/share
else
  opt="$HOME/.local/opt/pos-app"
  bin="$HOME/.local/bin"
  share="${XDG_DATA_HOME:-$HOME/.local/share}"
fi

refresh_caches() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$share/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$share/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$share/icons/hicolor" || true
  fi
}

remove_files() {
  rm -f "$bin/pos-app" "$share/applications/$app_id.desktop" "$share/metainfo/$app_id.metainfo.xml"
  find "$share/icons/hicolor" -name "$app_id.*" -type f -exec rm -f {} + 2>/dev/null || true
}

if [ "$action" = uninstall ]; then
  remove_files
  rm -rf "$opt"
  refresh_caches
  echo "pos-app removed from $opt (the till's data is kept)"
  exit 0
fi

if [ ! -x "$here/pos-app" ] || [ ! -d "$here/share" ]; then
  echo "install.sh: run me from the unpacked bundle (pos-app and share/ beside me)" >&2
  exit 1
fi

if [ "$here" != "$opt" ]; then
  rm -rf "$opt.new"
  mkdir -p "$(dirname "$opt")"
  cp -R "$here" "$opt.new"
  rm -rf "$opt"
  mv "$opt.new" "$opt"
fi

remove_files
mkdir -p "$bin" "$share/applications" "$share/metainfo" "$share/icons"
ln -sf "$opt/pos-app" "$bin/pos-app"
# The menu entry starts the installed executable by its full path, whatever PATH holds.
sed "s|^Exec=pos-app|Exec=\"$opt/pos-app\"|" \
  "$opt/share/applications/$app_id.desktop" > "$share/applications/$app_id.desktop"
cp "$opt/share/metainfo/$app_id.metainfo.xml" "$share/metainfo/"
cp -R "$opt/share/icons/hicolor" "$share/icons/"
refresh_caches
echo "pos-app installed in $opt; start it from the menu or as $bin/pos-app"
