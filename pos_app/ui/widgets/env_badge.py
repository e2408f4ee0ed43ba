"""The environment badge: DEMO (amber) and SANDBOX (blue) stand out; production is plain."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from pos_app.ui import text


class EnvBadge(QLabel):
    def __init__(self, environment: str, parent: QWidget | None = None) -> None:
        super().__init__(text.environment_badge(environment), parent)
        self.setObjectName("envBadge")
        # The stylesheet colours the badge by this property (see resources/style.qss).
        self.setProperty("env", environment if environment in ("demo", "sandbox") else "plain")
        self.setAccessibleName(f"Environment: {text.environment_badge(environment)}")
