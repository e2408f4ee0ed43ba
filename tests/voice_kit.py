"""The speech engine for the tests that need one: skipped on a developer's machine without
espeak-ng, but a failure in CI (CI=true), where .ci/run installs it."""

from __future__ import annotations

import os
import shutil

import pytest


def need_espeak() -> str:
    program = shutil.which("espeak-ng")
    if program is None:
        if os.environ.get("CI"):
            pytest.fail("espeak-ng is not installed, but CI must run the voice tests")
        pytest.skip("espeak-ng is not installed (apt install espeak-ng)")
    return program
