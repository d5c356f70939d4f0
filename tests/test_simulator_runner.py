"""Running the POS simulator outside a test's event loop: the thread runner and the command."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from websockets.sync.client import connect

from pos_bridge.simulator import running_simulator

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).parent / "seed_examples"
GARLIC_BREAD = "5e132381-8723-4f38-9483-6265bced2f96"
SERVICE_MODE_ID = "0adc10d8-d2eb-40b9-9801-0664531f7400"


def snapshot_request(table: str) -> str:
    return json.dumps(
        {
            "RequestID": str(uuid.uuid4()),
            "ProviderID": 90210,
            "ProviderName": "OpenApp",
            "DeviceID": "openapp-loc-1",
            "UserIdentifier": str(uuid.uuid4()),
            "MessageType": 30,
            "Payload": {"ServiceModeID": SERVICE_MODE_ID, "ServiceModeEntityID": table},
        }
    )


def test_running_simulator_takes_staff_actions_from_another_thread_and_pushes_them() -> None:
    with running_simulator(tables={"A1"}) as pos, connect(pos.url) as ws:
        ws.send(snapshot_request("A1"))
        assert json.loads(ws.recv(timeout=5))["Payload"]["Version"] == 0

        line_ids = pos.add_items("A1", [{"plu": GARLIC_BREAD, "quantity": 2}])
        pos.deliver_lines("A1", line_ids)

        pushes = [json.loads(ws.recv(timeout=5))["Payload"] for _ in range(2)]
        assert [(p["Version"], p["ChangeType"]) for p in pushes] == [
            (1, "ITEMS_ADDED"),
            (2, "ITEMS_DELIVERED"),
        ]
        assert pos.version("A1") == 2
        assert pos.order("A1").products[0].status == "DELIVERED"
        assert pos.subscriber_count("A1") == 1
        with pytest.raises(KeyError):
            pos.cancel_lines("A1", ["L7"])
    with pytest.raises(OSError):
        connect(pos.url, open_timeout=2)


def test_stopping_does_not_hang_on_a_peer_that_never_answers_the_close() -> None:
    with running_simulator() as pos:
        address = urlsplit(pos.url)
        peer = socket.create_connection((address.hostname, address.port), timeout=5)
        peer.sendall(
            b"GET / HTTP/1.1\r\nHost: pos\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        assert peer.recv(4096).startswith(b"HTTP/1.1 101")
        started = time.monotonic()
    try:
        assert time.monotonic() - started < 5
    finally:
        peer.close()


@pytest.mark.parametrize(
    "stock", ["401", "401=", "=3", "401=-1", "401=two", "401=1.5", "401=3=4", "no-such-plu=1"]
)
def test_the_command_refuses_malformed_stock_with_a_clear_error(stock: str) -> None:
    with pytest.raises(CommandError, match="stock"):
        call_command("run_pos_simulator", "--port", "0", "--stock", stock)


def test_the_command_serves_until_sigterm() -> None:
    command = [sys.executable, "manage.py", "run_pos_simulator", "--port", "0"]
    command += ["--stock", "401=1", "--token", "t0ken"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("POS simulator listening on ws://127.0.0.1:")
        url = line.rsplit(" ", 1)[1].strip()
        with connect(url, additional_headers={"Authorization": "Bearer t0ken"}) as ws:
            ws.send((SEEDS / "create_order_request.json").read_text())
            assert json.loads(ws.recv(timeout=5))["ResultCode"] == 6

        process.send_signal(signal.SIGTERM)

        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_command_takes_the_service_mode_it_is_given_and_refuses_others() -> None:
    other = "5e1f0000-0000-4000-8000-000000000001"
    command = [sys.executable, "manage.py", "run_pos_simulator", "--port", "0"]
    command += ["--service-mode-id", other, "--tables", "A1"]
    env = {**os.environ, "OPENAPP_EMBEDDED": "1", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rsplit(" ", 1)[1].strip()
        with connect(url) as ws:
            ws.send(snapshot_request("A1"))
            refused = json.loads(ws.recv(timeout=5))
            request = json.loads(snapshot_request("A1"))
            request["Payload"]["ServiceModeID"] = other
            ws.send(json.dumps(request))
            taken = json.loads(ws.recv(timeout=5))

        assert (refused["ResultCode"], refused["Payload"]) == (2, None)
        assert "ServiceModeID" in refused["ErrorMessage"]
        assert (taken["ResultCode"], taken["Payload"]["Version"]) == (0, 0)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
