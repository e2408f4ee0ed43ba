"""Tests of packaging/: the wheel, the bundle's rules, the desktop files, the icons.

packaging/ holds build-time scripts, not a package: its folder goes on sys.path here so
the tests import bundle_rules and make_icons as the spec and the build do.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
if str(PACKAGING) not in sys.path:
    sys.path.insert(0, str(PACKAGING))
