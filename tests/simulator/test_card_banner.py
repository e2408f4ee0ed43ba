"""`pos-app gateway-sim` names the simulator's test cards in its banner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def test_the_gateway_sim_banner_lists_the_test_cards() -> None:
    """`pos-app gateway-sim` as a real process: its banner names the test cards."""
    command = [sys.executable, "-m", "pos_app", "gateway-sim", "--port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:
        assert process.stdout is not None
        lines = []
        try:
            for line in process.stdout:
                lines.append(line)
                if "Control API" in line:
                    break
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=20)
    text = "".join(lines)
    for expected in ("4111 1111 1111 1111", "4000 0000 0000 0002", "4000 0000 0000 0069"):
        assert expected in text
    assert "OTP 123456" in text and "CVV 123" in text
