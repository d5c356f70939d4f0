"""The product as the bench runs it: a fresh database, the product's processes, the POS.

Two shapes, both started as subprocesses exactly as README.md starts them:
- embedded: `manage.py run_embedded` (site, WebSockets and bridge in one process) on a
  fresh SQLite file, in-memory channel layer;
- production: two `daphne openapp_site.serve:application` processes and one
  `manage.py run_pos_bridge`, on a fresh PostgreSQL database (openapp_bench) and Redis.
Every process runs with DJANGO_SETTINGS_MODULE=bench.settings (the product's settings plus
the bare view /bench/bare). The restaurant's POS is pos_bridge's PosSimulator, served on a
real loopback WebSocket by the bench's own event loop, so the bench changes a table through
its in-process API and takes the send time on the same clock as the phones' receipts.
The bare Channels app (bench/bare_app.py) is served the same way on demand.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

from pos_bridge.simulator import PosSimulator

PROJECT = Path(__file__).resolve().parent.parent
VAR = PROJECT / "var" / "bench"
LOGS = VAR / "logs"
PROFILES = VAR / "profiles"
BIN = Path(sys.executable).parent
SHAPES = ("embedded", "production")
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
# Another name keeps two checkouts' runs apart on one PostgreSQL (and BENCH_REDIS_URL their Redis).
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "openapp_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
SQLITE_PATH = VAR / "embedded.sqlite3"
# What a table of four has on its check when the bench starts (PLUs of the demo menu):
# two starters, four mains, two drinks, rung up by a waiter.
STARTING_ORDER = [
    {"plu": "5e132381-8723-4f38-9483-6265bced2f96", "quantity": 1},  # Garlic Bread
    {"plu": "c37bb7f4-2af2-4a68-a5fa-49179ec22e5f", "quantity": 1},  # Scotch Egg
    {"plu": "02f3b881-f675-4913-a0d0-1571dbf24aff", "quantity": 2},  # Creamy Pasta
    {"plu": "6c54bd09-2479-4c7b-9dd5-2b4c4c0ad6fe", "quantity": 1},  # Steak & Ale Pie
    {"plu": "c15f1bd5-af99-4315-ae54-10fed24a9821", "quantity": 1},  # Bangers & Mash
    {"plu": "66bdae3b-6dd3-4dab-925e-eb5dcbc28409", "quantity": 2},  # Coca-Cola
    {"plu": "bc1126a3-aa1d-4df6-ad59-f4374f5f4711", "quantity": 1},  # Diet Coke
]
START_SECONDS = 60.0
# Variables that choose a database, a channel layer or the settings: never inherited.
OWN_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "SQLITE_PATH",
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "ALLOWED_HOSTS",
    "DEBUG",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + BENCH_DATABASE


def environment(shape: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OWN_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        PYTHONUNBUFFERED="1",
        SERVE_STATIC="1",
        DEMO_ADMIN_PASSWORD_FILE=str(VAR / "admin-password"),
    )
    if shape == "embedded":
        env.update(SQLITE_PATH=str(SQLITE_PATH))
    else:
        env.update(
            DATABASE_URL=database_url(),
            REDIS_URL=REDIS_URL,
            SECRET_KEY="bench-only-secret-key-not-for-production",
            ALLOWED_HOSTS="127.0.0.1,localhost",
        )
    return env


class Service:
    """One product process; its output goes to var/bench/logs/<name>.log."""

    def __init__(self, name: str, args: Sequence[str], env: dict[str, str]) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = LOGS / f"{name}.log"
        self._log: IO[str] = self.log_path.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            list(args),
            cwd=PROJECT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return f"--- {self.name} (pid {self.pid}) ---\n" + "\n".join(text[-lines:])

    def check_running(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.output()}")

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self._log.close()


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _fresh_database(shape: str) -> None:
    if shape == "embedded":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    import redis

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    redis.Redis.from_url(REDIS_URL).flushdb()


def _answers_http(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


class Stack:
    """`async with Stack("production", tables=250) as stack:` a running product and POS."""

    def __init__(self, shape: str, tables: int) -> None:
        if shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}")
        self.shape = shape
        self.table_count = tables
        self.env = environment(shape)
        self.sim = PosSimulator(tables=[str(n) for n in range(1, tables + 1)])
        self.tokens: dict[str, str] = {}  # POS table id -> QR token
        self.web: list[Service] = []
        self.bridge: Service | None = None
        self.bare: list[Service] = []
        self.ports: list[int] = []
        self.bare_ports: list[int] = []

    async def __aenter__(self) -> Stack:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    @property
    def product_services(self) -> list[Service]:
        return [*self.web, *([self.bridge] if self.bridge else [])]

    def pids(self, services: list[Service] | None = None) -> dict[str, int]:
        """The product's processes (or those given) by name."""
        return {s.name: s.pid for s in (self.product_services if services is None else services)}

    async def start(self) -> None:
        VAR.mkdir(parents=True, exist_ok=True)
        await self.sim.start("127.0.0.1", 0)
        for table in self.sim.tables:  # every table has an open check on the POS
            await self.sim.add_items(table, STARTING_ORDER)
        print(f"[{self.shape}] fresh database, migrate, seed {self.table_count} tables", flush=True)
        await asyncio.to_thread(self._prepare)
        if self.shape == "embedded":
            self.ports = [free_port()]
            command = ["manage.py", "run_embedded", "--host", "127.0.0.1", "--port"]
            self.web = [
                Service("embedded", [sys.executable, *command, str(self.ports[0])], self.env)
            ]
        else:
            self.ports = [free_port(), free_port()]
            self.web = [
                self._daphne(f"daphne-{i + 1}", p, "openapp_site.serve:application", self.env)
                for i, p in enumerate(self.ports)
            ]
            bridge = [sys.executable, "manage.py", "run_pos_bridge"]
            self.bridge = Service("bridge", bridge, self.env)
        await self._wait_http(self.ports, self.product_services)
        print(f"[{self.shape}] running: {', '.join(self.base_urls)}", flush=True)

    def _prepare(self) -> None:
        _fresh_database(self.shape)
        _manage(self.env, "manage.py", "migrate", "--noinput", "-v0")
        _manage(self.env, "manage.py", "seed_demo", "--pos-url", self.sim.url)
        self.tokens = json.loads(_manage(self.env, "-m", "bench.seed", str(self.table_count)))

    def _daphne(self, name: str, port: int, app: str, env: dict[str, str]) -> Service:
        args = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), app]
        return Service(name, args, env)

    async def _wait_http(self, ports: list[int], services: list[Service]) -> None:
        deadline = time.monotonic() + START_SECONDS
        for port in ports:
            while not await asyncio.to_thread(_answers_http, port):
                for service in services:
                    service.check_running()
                if time.monotonic() > deadline:
                    raise RuntimeError("the product did not start:\n" + self.outputs(services))
                await asyncio.sleep(0.2)

    async def start_bare(self) -> None:
        """The bare Channels app, in the same shape: one daphne, or two on Redis."""
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        count = 1 if self.shape == "embedded" else 2
        self.bare_ports = [free_port() for _ in range(count)]
        self.bare = [
            self._daphne(f"bare-{i + 1}", p, "bench.bare_app:application", env)
            for i, p in enumerate(self.bare_ports)
        ]
        await self._wait_http(self.bare_ports, self.bare)

    async def wait_subscribed(self, tables: Sequence[str], timeout: float = 120.0) -> None:
        """Until the bridge has asked the POS for each table (its push stream is open)."""
        deadline = time.monotonic() + timeout
        while any(self.sim.subscriber_count(t) < 1 for t in tables):
            for service in self.product_services:
                service.check_running()
            if time.monotonic() > deadline:
                missing = [t for t in tables if self.sim.subscriber_count(t) < 1]
                raise RuntimeError(f"no POS stream for {len(missing)} tables, e.g. {missing[:5]}")
            await asyncio.sleep(0.2)

    def profile(self, label: str, seconds: float) -> list[subprocess.Popen[bytes]]:
        """py-spy samples each product process for `seconds` (collapsed stacks)."""
        PROFILES.mkdir(parents=True, exist_ok=True)
        runs = []
        for service in self.product_services:
            out = PROFILES / f"{label}-{self.shape}-{service.name}.txt"
            args = [str(BIN / "py-spy"), "record", "--pid", str(service.pid), "--duration",
                    str(round(seconds)), "--rate", "200", "--format", "raw", "--nonblocking",
                    "--gil", "--output", str(out)]  # fmt: skip
            runs.append(
                subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
        return runs

    def outputs(self, services: list[Service] | None = None) -> str:
        return "\n".join(s.output() for s in (services or [*self.product_services, *self.bare]))

    async def stop(self) -> None:
        for service in [*self.bare, *self.web, *([self.bridge] if self.bridge else [])]:
            await asyncio.to_thread(service.stop)
        self.bare = []
        await self.sim.stop()
