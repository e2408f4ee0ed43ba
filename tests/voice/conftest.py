"""Voice tests: the real speech engine where a test asks for it (see voice_kit)."""

from __future__ import annotations

import pytest
from voice_kit import need_espeak


@pytest.fixture
def espeak() -> str:
    return need_espeak()
