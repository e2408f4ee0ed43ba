"""A throw-away PostgreSQL server for the store-database tests, without Docker.

It runs the distribution's own binaries (Debian: `apt-get install postgresql`, found under
/usr/lib/postgresql/<version>/bin, or the folder named by POS_TEST_PG_BIN). initdb refuses to
run as root, so as root the server runs as the unprivileged `postgres` user (runuser). It
listens on a free loopback port with trust authentication and its socket in its own folder;
it is stopped (and its folder removed) when the test session ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PgServer", "PgUnavailable", "find_bin_dir", "start_server"]


class PgUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine (or they could not start)."""


@dataclass
class PgServer:
    bin_dir: Path
    data_dir: Path
    port: int
    run_as: str | None

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            _run(self, ["pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def find_bin_dir() -> Path | None:
    explicit = os.environ.get("POS_TEST_PG_BIN")
    candidates = [Path(explicit)] if explicit else []
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        versions = sorted(
            (p for p in root.iterdir() if p.name.isdigit()), key=lambda p: int(p.name)
        )
        candidates += [v / "bin" for v in reversed(versions)]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(server: PgServer, argv: list[str]) -> subprocess.CompletedProcess[str]:
    command = [str(server.bin_dir / argv[0]), *argv[1:]]
    if server.run_as:
        command = ["runuser", "-u", server.run_as, "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)


def start_server() -> PgServer:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PgUnavailable(
            "no PostgreSQL server binaries (apt-get install postgresql, or set POS_TEST_PG_BIN)"
        )
    run_as = "postgres" if os.geteuid() == 0 else None
    top = Path(tempfile.mkdtemp(prefix="pos-pg-"))
    data = top / "data"
    if run_as:
        shutil.chown(top, user=run_as)
        top.chmod(0o700)
    server = PgServer(bin_dir, data, _free_port(), run_as)
    try:
        _run(
            server,
            [
                "initdb",
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        )
        options = (
            f"-p {server.port} -k {top} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        _run(
            server,
            ["pg_ctl", "-D", str(data), "-o", options, "-l", str(top / "log"), "-w", "start"],
        )
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        shutil.rmtree(top, ignore_errors=True)
        raise PgUnavailable(f"the PostgreSQL test server did not start: {exc} {detail}") from exc
    return server
