"""Bridge workers as real processes: `manage.py run_pos_bridge` against the test's database.

The environment is derived from the database the test itself uses (the test database,
not the one the settings name), so the workers and the test see the same rows: SQLite
through SQLITE_PATH, PostgreSQL through DATABASE_URL. Each worker's output is collected
for failure messages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import quote

from django.conf import settings
from django.db import connection

LEASE_SECONDS = 2.0
POLL_SECONDS = 0.1
REQUEST_TIMEOUT_SECONDS = 1.0
GRACE_SECONDS = 5.0
STOP_TIMEOUT_SECONDS = GRACE_SECONDS + 5.0
STARTED_TIMEOUT_SECONDS = 20.0
OUTPUT_LINES_SHOWN = 60
# Variables that choose the database and the channel layer: set here, never inherited.
OWN_VARIABLES = {"DATABASE_URL", "SQLITE_PATH", "REDIS_URL"}


def database_environment() -> dict[str, str]:
    """The variables that point a new process at the database this test is using."""
    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return {"SQLITE_PATH": str(database["NAME"])}
    if database["ENGINE"] == "django.db.backends.postgresql":
        user = quote(database["USER"] or "postgres", safe="")
        if database.get("PASSWORD"):
            user += ":" + quote(database["PASSWORD"], safe="")
        host = database["HOST"] or "127.0.0.1"
        port = database["PORT"] or "5432"
        return {
            "DATABASE_URL": f"postgres://{user}@{host}:{port}/{database['NAME']}",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bridge-worker-test-key",
        }
    raise RuntimeError(f"no bridge worker environment for {database['ENGINE']}")


def bridge_environment(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OWN_VARIABLES}
    env.update(database_environment())
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    env.update(
        POS_LEASE_SECONDS=str(LEASE_SECONDS),
        POS_OUTBOX_POLL_SECONDS=str(POLL_SECONDS),
        POS_REQUEST_TIMEOUT_SECONDS=str(REQUEST_TIMEOUT_SECONDS),
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


class BridgeProcess:
    """One `manage.py run_pos_bridge` worker; its output is kept line by line."""

    def __init__(self, name: str, env: dict[str, str], grace: float = GRACE_SECONDS) -> None:
        self.name = name
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_pos_bridge", "--grace", str(grace)],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        self._reader = threading.Thread(target=self._read, name=f"{name}-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def is_running(self) -> bool:
        return self.process.poll() is None

    def holds(self, held_by: str) -> bool:
        """Whether a PosConnection.held_by names this worker (host:pid:suffix)."""
        return f":{self.pid}:" in held_by

    def wait_started(self, timeout: float = STARTED_TIMEOUT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while not any("running; SIGTERM to stop" in line for line in self.lines):
            if not self.is_running or time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not start:\n{self.output()}")
            time.sleep(0.05)

    def ask_to_stop(self) -> None:
        """SIGTERM, as a supervisor stops a worker."""
        if self.is_running:
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int | None:
        """The exit code, or None if the worker is still running after the timeout."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def terminate(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int:
        """SIGTERM; SIGKILL if the worker outstays the timeout."""
        self.ask_to_stop()
        code = self.wait_stopped(timeout)
        return self.kill() if code is None else code

    def kill(self) -> int:
        """SIGKILL: the worker dies mid-flight, with no chance to tidy up."""
        if self.is_running:
            self.process.kill()
        return self.process.wait(STOP_TIMEOUT_SECONDS)

    def output(self) -> str:
        self._reader.join(0.5 if not self.is_running else 0)
        shown = self.lines[-OUTPUT_LINES_SHOWN:]
        return f"--- {self.name} (pid {self.pid}), last {len(shown)} lines ---\n" + "\n".join(shown)


@contextmanager
def bridge_processes(count: int, **overrides: str) -> Iterator[list[BridgeProcess]]:
    """`count` started bridge workers; whatever is still running is stopped at the end."""
    env = bridge_environment(**overrides)
    with ExitStack() as stack:
        workers = []
        for number in range(1, count + 1):
            worker = BridgeProcess(f"bridge-{number}", env)
            stack.callback(worker.terminate)
            workers.append(worker)
        for worker in workers:
            worker.wait_started()
        yield workers


def outputs(workers: list[BridgeProcess]) -> str:
    return "\n".join(worker.output() for worker in workers)
