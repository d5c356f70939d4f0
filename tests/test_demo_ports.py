"""`make demo PORT=… SIM_PORT=…`: the Makefile's own demo commands, on ports other than the
defaults, give a demo whose orders reach the simulator it started."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.http_phone import HttpPhone
from tests.live_demo import (
    MANAGE_PY,
    PROJECT_DIR,
    LiveDemo,
    _manage,
    demo_environment,
    free_port,
)
from tests.terminal_qr import decode_terminal_qr

ACCEPTED = "✓ Sent to the kitchen"
QR_HEADING = "Table 10's QR code (scan it with a phone on the same network):"
TABLES_HEADING = "Tables (open one in a phone-sized browser window):"


def make_demo_commands(**variables: str) -> list[list[str]]:
    """The manage.py commands `make demo` runs with these variables, as argument lists."""
    printed = subprocess.run(
        ["make", "-n", "demo", *(f"{name}={value}" for name, value in variables.items())],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")
    commands = [shlex.split(line) for line in printed.splitlines() if "manage.py" in line]
    return [command[command.index("manage.py") + 1 :] for command in commands]


def test_make_demo_on_other_ports_prints_table_10s_code_and_the_simulator_accepts_orders(
    tmp_path: Path,
) -> None:
    http_port, simulator_port = free_port(), free_port()
    assert simulator_port != 8765 and http_port != 8000
    *setup, run = make_demo_commands(PORT=str(http_port), SIM_PORT=str(simulator_port))
    assert [command[0] for command in setup] == ["migrate", "seed_demo"]
    assert run[0] == "run_embedded"
    env = demo_environment(tmp_path)
    for command in setup:
        _manage(*command, env=env)

    process = subprocess.Popen(
        [sys.executable, str(MANAGE_PY), *run],
        cwd=PROJECT_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    demo = LiveDemo(process, f"http://127.0.0.1:{http_port}", env=env)
    try:
        demo.wait_until_ready()
        assert f"POS simulator: ws://127.0.0.1:{simulator_port}" in demo.output()

        printed = demo.output().splitlines()
        qr_lines = printed[printed.index(QR_HEADING) + 1 : printed.index(TABLES_HEADING)]
        assert decode_terminal_qr(qr_lines) == [demo.table_url(10)]

        phone = HttpPhone()
        menu = phone.scan(demo.table_url(10))
        phone.add(menu, "Corona", 1)
        phone.send_to_kitchen()

        basket = phone.wait_for_basket_text(ACCEPTED)
        assert ACCEPTED in basket, f"{basket}\n--- demo output ---\n{demo.output()}"
    finally:
        if demo.stop() is not None:
            pytest.fail(f"The demo exited by itself:\n{demo.output()}")

    # Stopped (SIGTERM, as Ctrl-C would), the demo leaves no connection saying "connected".
    states = _manage(
        "shell",
        "-c",
        "from pos_bridge.models import PosConnection as P;"
        "print(sorted(set(P.objects.values_list('state', flat=True))))",
        env=env,
    )
    assert "['not connected']" in states, states
