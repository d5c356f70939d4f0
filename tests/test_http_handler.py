"""Under daphne a request's middleware and view run in one trip to a worker thread, not a
trip for each middleware's every hook (openapp_site.http); the pages are the same."""

from __future__ import annotations

import re
import threading

import pytest
from asgiref.sync import SyncToAsync
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler

from openapp_site.http import OneTripASGIHandler


def scope(path: str) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"accept-language", b"en")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def served(app, path: str) -> tuple[int, bytes]:
    communicator = ApplicationCommunicator(app, scope(path))
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(10)
    body = b""
    while True:
        message = await communicator.receive_output(10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(1)
    return start["status"], body


def nonce_free(page: bytes) -> bytes:
    """The page without its form token and Content-Security-Policy nonces, new on every
    request."""
    page = re.sub(rb'"X-CSRFToken": "[^"]*"', b'"X-CSRFToken": ""', page)
    return re.sub(rb'nonce="[^"]*"', b'nonce=""', page)


@pytest.fixture
def trips(monkeypatch) -> list[str]:
    """Every call of a function from the event loop to a worker thread."""
    counted: list[str] = []
    call = SyncToAsync.__call__

    def counting(self, *args, **kwargs):
        counted.append(getattr(self.func, "__qualname__", repr(self.func)))
        return call(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counting)
    return counted


@pytest.mark.django_db(transaction=True)
async def test_a_page_takes_a_few_trips_to_a_worker_thread_not_one_per_middleware_hook(trips):
    django_way, one_trip = ASGIHandler(), OneTripASGIHandler()
    status, page = await served(one_trip, "/")
    assert status == 200 and b"OpenApp" in page
    ours = len(trips)
    trips.clear()
    status, same_page = await served(django_way, "/")
    assert status == 200
    assert nonce_free(same_page) == nonce_free(page)
    # Request started and finished, and the page: where each middleware's every hook and
    # the view took a trip of their own.
    assert ours <= 4, trips
    assert len(trips) >= 6 * ours


@pytest.mark.django_db(transaction=True)
async def test_pages_one_after_another_make_no_thread_each(table_10):
    """Django's handler runs a request's signals on a thread made for that request, and
    starts another to join it: ours lends each request a thread that stays."""
    from django.core.signals import request_finished

    ran_on: list[threading.Thread] = []

    def noted(**kwargs) -> None:
        ran_on.append(threading.current_thread())

    request_finished.connect(noted)
    try:
        for handler in (OneTripASGIHandler(), ASGIHandler()):
            for _ in range(5):
                status, _page = await served(handler, f"/t/{table_10.qr_token}")
                assert status == 302
    finally:
        request_finished.disconnect(noted)
    ours, djangos = ran_on[:5], ran_on[5:]
    assert len(set(ours)) == 1 and ours[0].is_alive()
    assert len(set(djangos)) == 5


@pytest.mark.django_db(transaction=True)
async def test_an_async_view_still_answers(trips):
    status, body = await served(OneTripASGIHandler(), "/healthz")
    assert status in (200, 503) and body


@pytest.mark.django_db(transaction=True)
async def test_pages_one_after_another_reuse_database_connections(table_10):
    from django.db import connection
    from django.db.backends.signals import connection_created

    if connection.vendor == "postgresql":
        await _pooled_connections_are_reused_and_given_back(table_10, connection.pool)
        return
    opened: list[object] = []

    def counted(sender, connection, **kwargs) -> None:
        opened.append(connection)

    connection_created.connect(counted)
    try:
        handler = OneTripASGIHandler()
        for _ in range(5):
            status, _page = await served(handler, f"/t/{table_10.qr_token}")
            assert status == 302  # the table's code: a visit opened or joined, a redirect
        ours = len(opened)
        opened.clear()
        handler = ASGIHandler()
        for _ in range(5):
            await served(handler, f"/t/{table_10.qr_token}")
    finally:
        connection_created.disconnect(counted)
    assert ours <= 1
    assert len(opened) == 5  # a thread, and a connection, made for each request


async def _pooled_connections_are_reused_and_given_back(table_10, pool) -> None:
    """On PostgreSQL a request borrows a connection from psycopg's pool (settings.py): five
    pages open at most one new connection to the server, and each gives its back."""
    before = pool.get_stats()
    handler = OneTripASGIHandler()
    for _ in range(5):
        status, _page = await served(handler, f"/t/{table_10.qr_token}")
        assert status == 302  # the table's code: a visit opened or joined, a redirect
    after = pool.get_stats()
    assert after.get("connections_num", 0) - before.get("connections_num", 0) <= 1
    held_before = before["pool_size"] - before["pool_available"]
    assert after["pool_size"] - after["pool_available"] == held_before
