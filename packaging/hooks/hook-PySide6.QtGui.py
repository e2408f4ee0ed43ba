"""PyInstaller hook for PySide6.QtGui that collects only the Qt plugins the till uses.

It replaces PyInstaller's own hook of the same name (the spec puts this folder on the
hook path) and leaves out plugins before their libraries are analysed, so what only a
left-out plugin needs (GTK 3, cairo and pango for the GTK theme, say) is not collected.
The rules are in packaging/bundle_rules.py.
"""

import os
import sys

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import bundle_rules

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [
    (source, dest)
    for source, dest in binaries
    if bundle_rules.keep_qt_plugin(f"{dest}/{os.path.basename(source)}")
]
