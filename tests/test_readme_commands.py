"""Every `manage.py` command in the README's code blocks works pasted into a plain shell on a
checkout where `make demo` has run: no project variables set, example hosts replaced by
loopback and example ports by free ones. Servers must start and answer, then are stopped.
The production block is left out: it needs your PostgreSQL and Redis."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.live_demo import MANAGE_PY, PROJECT_DIR, free_port

README = PROJECT_DIR / "README.md"
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXAMPLE_HOSTS = re.compile(r"\b[a-z0-9-]+\.(?:example|internal)(?:\.com)?\b")
PORT = re.compile(r"(?<=:)\d{4,5}\b|(?<=--port )\d{4,5}\b")
SERVERS = {"run_embedded", "run_pos_simulator", "run_pos_bridge"}
START_SECONDS = 30.0
COMMAND_SECONDS = 60.0


def readme_commands() -> list[list[str]]:
    """The manage.py commands of the README's non-production code blocks, as written."""
    commands = []
    for block in FENCE.findall(README.read_text(encoding="utf-8")):
        if "export DATABASE_URL" in block:
            continue
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if "manage.py" in words:
                commands.append(words[words.index("manage.py") + 1 :])
    return commands


def localised(command: list[str], ports: dict[str, str]) -> list[str]:
    """Example hosts become loopback; each example port a free one (the same one each time)."""

    def port(match: re.Match[str]) -> str:
        return ports.setdefault(match.group(0), str(free_port()))

    return [PORT.sub(port, EXAMPLE_HOSTS.sub("127.0.0.1", word)) for word in command]


def plain_shell(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    # Not a project setting: only keeps this test off the checkout's own demo database.
    env["SQLITE_PATH"] = str(tmp_path / "var" / "openapp.sqlite3")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, str(MANAGE_PY), *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
    )
    assert done.returncode == 0, f"manage.py {shlex.join(args)}:\n{done.stdout}{done.stderr}"


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def answers(args: list[str], output: str) -> bool:
    if args[0] == "run_pos_bridge":
        return "running; SIGTERM to stop" in output
    port = int(option(args, "--port"))
    if args[0] == "run_pos_simulator":
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as page:
            return page.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_answer_and_stop(args: list[str], env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [sys.executable, str(MANAGE_PY), *args],
        cwd=PROJECT_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while not answers(args, "".join(lines)):
            assert process.poll() is None, f"manage.py {shlex.join(args)} exited:\n" + "".join(
                lines
            )
            assert time.monotonic() < deadline, f"manage.py {shlex.join(args)} never answered"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_readme_shows_manage_py_commands_to_try():
    names = [command[0] for command in readme_commands()]
    assert {"seed_demo", "run_embedded", "run_pos_simulator"} <= set(names)


@pytest.mark.parametrize("command", readme_commands(), ids=shlex.join)
def test_a_readme_command_works_in_a_plain_shell(command: list[str], tmp_path: Path):
    env = plain_shell(tmp_path)
    for setup in (["migrate", "--noinput", "-v0"], ["seed_demo"]):  # what `make demo` did
        run(setup, env)
    args = localised(command, {})

    if args[0] in SERVERS and "--check" not in args:
        start_answer_and_stop(args, env)
    else:
        run(args, env)
