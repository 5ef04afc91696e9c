"""Run the web server, a Celery worker and Celery beat together until Ctrl-C.

Used by ``bin/run`` after migrations and the demo data. On Ctrl-C (or when any of
the three stops) the others are stopped too, and so are the embedded PostgreSQL
and Redis when this checkout started them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from config import embedded

HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


def main() -> int:
    python = sys.executable
    uses_embedded = not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL")
    commands = {
        "web": [python, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
        "worker": [python, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2"],
        "beat": [python, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
                 "--schedule", str(embedded.VAR_DIR / "celerybeat-schedule")],
    }
    # Fixed commands built above, no user input.
    processes = {name: subprocess.Popen(command) for name, command in commands.items()}  # noqa: S603
    print(
        f"\n  The site is at http://{HOST}:{PORT}/  (Ctrl-C stops the web server, worker and beat)\n"
        "  Demo logins are listed above and in the README.\n",
        flush=True,
    )
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if uses_embedded:
            embedded.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
