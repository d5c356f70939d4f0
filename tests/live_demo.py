"""The whole product, started the way a new user starts it: migrate, seed the demo
restaurant, then `run_embedded --simulator`, each as its own process.

Options give the variations a browser test needs: a slow POS or one that never answers
(`extra_args`), bridge settings (`env`), and no POS at all (`pos_reachable=False`)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
MANAGE_PY = PROJECT_DIR / "manage.py"
STARTUP_SECONDS = 30.0
SETUP_COMMAND_SECONDS = 60.0
STOP_SECONDS = 5.0
TABLE_LINK = re.compile(r"^\s+Table (\d+)\s+(https?://\S+/t/\S+)\s*$")
TABLES_HEADING = "Tables (open one in a phone-sized browser window):"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveDemo:
    """A running `run_embedded` process and what it printed."""

    def __init__(
        self,
        process: subprocess.Popen[str],
        base_url: str,
        *,
        env: dict[str, str] | None = None,
        simulator_port: int | None = None,
    ) -> None:
        self.process = process
        self.base_url = base_url
        self.env = dict(env if env is not None else os.environ)
        # None when the demo runs without the POS simulator (pos_reachable=False).
        self.simulator_port = simulator_port
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, name="live-demo-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._lock:
                self._lines.append(line.rstrip("\n"))

    def output(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        with self._lock:
            return "\n".join(self._lines)

    def table_links(self) -> dict[int, str]:
        with self._lock:
            lines = list(self._lines)
        return {
            int(match.group(1)): match.group(2)
            for match in map(TABLE_LINK.match, lines)
            if match is not None
        }

    def table_url(self, number: int) -> str:
        """The address Table `number`'s QR code opens, as the server printed it."""
        url = self.table_links().get(number)
        if url is None:
            pytest.fail(f"The demo printed no link for Table {number}:\n{self.output()}")
        return url

    @property
    def console_url(self) -> str:
        """The POS simulator's staff console WebSocket (act as waiter and kitchen)."""
        if self.simulator_port is None:
            pytest.fail("This demo runs without the POS simulator, so it has no staff console")
        return f"ws://127.0.0.1:{self.simulator_port}/console"

    def manage(self, *args: str) -> str:
        """Run a manage.py command against the demo's database; returns its output."""
        return _manage(*args, env=self.env)

    def _answers_http(self) -> bool:
        try:
            with urllib.request.urlopen(self.base_url + "/", timeout=1):
                return True
        except urllib.error.HTTPError:
            return True  # any status means the server answered
        except OSError:
            return False

    def _is_ready(self) -> bool:
        output = self.output()
        return TABLES_HEADING in output and bool(self.table_links()) and self._answers_http()

    def wait_until_ready(self, timeout: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while not self._is_ready():
            if self.process.poll() is not None:
                self._reader.join(timeout=2)
                pytest.fail(
                    f"The demo server exited with status {self.process.returncode} while "
                    f"starting:\n{self.output()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"The demo server did not print its table links and answer HTTP within "
                    f"{timeout:.0f} s:\n{self.output()}"
                )
            time.sleep(0.1)

    def stop(self) -> int | None:
        """Stop the server; returns its exit status if it had already died by itself."""
        died_early = self.process.poll()
        if died_early is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=2)
        return died_early


def _manage(*args: str, env: dict[str, str]) -> str:
    command = [sys.executable, str(MANAGE_PY), *args]
    try:
        done = subprocess.run(
            command,
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=SETUP_COMMAND_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(
            f"`manage.py {' '.join(args)}` took over {SETUP_COMMAND_SECONDS:.0f} s:\n"
            f"{timeout.output or ''}"
        )
    if done.returncode != 0:
        pytest.fail(
            f"`manage.py {' '.join(args)}` failed with status {done.returncode}:\n{done.stdout}"
        )
    return done.stdout


def demo_environment(tmp_path: Path) -> dict[str, str]:
    # Always the embedded default, even on a machine that has DATABASE_URL or REDIS_URL set.
    inherited = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return {
        **inherited,
        "SQLITE_PATH": str(tmp_path / "demo.sqlite3"),
        "DEMO_ADMIN_PASSWORD_FILE": str(tmp_path / "admin-password"),
        "PYTHONUNBUFFERED": "1",
    }


@contextmanager
def live_demo(
    tmp_path: Path,
    *,
    stock: dict[str, int] | None = None,
    extra_args: list[str] | None = None,
    env: dict[str, str] | None = None,
    pos_reachable: bool = True,
) -> Iterator[LiveDemo]:
    """Migrate and seed a fresh database in `tmp_path`, run the product with the POS
    simulator (`stock`: PLU → quantity left), and stop it afterwards, whatever happens.

    `extra_args` go to run_embedded (e.g. ["--simulator-answer-delay", "4"]); `env` is
    merged into the environment of the server and of every manage.py command (e.g.
    {"POS_BATCH_EXPIRY_SECONDS": "3"}). With `pos_reachable=False` there is no simulator: the demo
    location's POS is a free port nobody listens on, and the bridge keeps trying it."""
    environment = {**demo_environment(tmp_path), **(env or {})}
    pos_port = free_port()
    http_port = free_port()
    _manage("migrate", "--noinput", env=environment)
    _manage("seed_demo", "--pos-url", f"ws://127.0.0.1:{pos_port}", env=environment)
    stock_args = [arg for plu, qty in (stock or {}).items() for arg in ("--stock", f"{plu}={qty}")]
    simulator_args = ["--simulator", "--simulator-port", str(pos_port)] if pos_reachable else []
    process = subprocess.Popen(
        [
            sys.executable,
            str(MANAGE_PY),
            "run_embedded",
            *simulator_args,
            "--port",
            str(http_port),
            *stock_args,
            *(extra_args or []),
        ],
        cwd=PROJECT_DIR,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    demo = LiveDemo(
        process,
        f"http://127.0.0.1:{http_port}",
        env=environment,
        simulator_port=pos_port if pos_reachable else None,
    )
    failed = False
    try:
        demo.wait_until_ready()
        yield demo
    except BaseException as error:
        failed = True
        if not isinstance(error, pytest.fail.Exception):
            error.add_note(f"--- demo server output ---\n{demo.output()}")
        raise
    finally:
        died_early = demo.stop()
        if died_early is not None and not failed:
            pytest.fail(
                f"The demo server exited by itself (status {died_early}) during the test:\n"
                f"{demo.output()}"
            )
