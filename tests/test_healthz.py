"""/healthz: 200 when the database and the channel layer answer, 503 saying which did not."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.test import Client

from tests.live_demo import PROJECT_DIR, free_port

STARTUP_SECONDS = 30.0
ASGI_APP = "openapp_site.asgi:application"


@pytest.mark.django_db
def test_a_process_that_reaches_its_database_and_channel_layer_is_healthy():
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"


@contextmanager
def web_process(tmp_path: Path, **variables: str) -> Iterator[str]:
    """One daphne web process, as production runs them; yields its address."""
    port = free_port()
    keep = {"PATH", "HOME", "LANG"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(SQLITE_PATH=str(tmp_path / "openapp.sqlite3"), **variables)
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), ASGI_APP],
        cwd=PROJECT_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while get(base + "/healthz") is None:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "daphne did not answer"
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(10)


def get(url: str) -> tuple[int, str] | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return None


def test_an_unreachable_redis_makes_the_process_unhealthy(tmp_path: Path):
    with web_process(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0") as base:
        status, body = get(base + "/healthz")

    assert status == 503
    assert body.startswith("channel layer: ")


def test_an_unopenable_database_makes_the_process_unhealthy(tmp_path: Path):
    (tmp_path / "openapp.sqlite3").mkdir()  # SQLite cannot open a directory

    with web_process(tmp_path) as base:
        status, body = get(base + "/healthz")

    assert status == 503
    assert body.startswith("database: ")


def test_the_same_web_process_with_a_database_it_can_open_is_healthy(tmp_path: Path):
    with web_process(tmp_path) as base:
        assert get(base + "/healthz") == (200, "ok\n")
