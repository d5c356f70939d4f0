"""Django's HTTP handling under daphne, with each request's whole path in one trip to a
long-lived worker thread.

Under ASGI, Django runs every middleware that can be either (MiddlewareMixin: all of
ours) in async mode, and each then sends its process_request and its process_response to
a worker thread and back; the view and each process_view hook make a trip more. With our
twelve middleware that is some twenty trips between the event loop and a thread on every
request, each a task, a future and a thread's wake-up. Here the middleware, the view and
its hooks run synchronously, in order, as under WSGI: one trip. Async views (/healthz)
still run on the event loop (Django's sync path calls them through async_to_sync).

The trip goes to a pool of long-lived threads, not to a thread made for the request (what
Django's handler does), so a thread's database connection outlives the request where the
database allows it (SQLite, CONN_MAX_AGE in settings.py): opening one cost 0.9 ms of a
request. Each request starts and ends by tidying its thread's connections, as Django's
request_started and request_finished do, which run elsewhere: a broken or, with the
PostgreSQL pool, any connection goes back before the next request. At most WORKERS
requests run their Python at once per process; a bill that waits for the till's answer
(the share page, up to SHARE_FRESH_WAIT_SECONDS) holds one. bench/README.md and
docs/performance.md say what this saved.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponseBase

WORKERS = 32
_workers = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="http")


class OneTripASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        chain = self._middleware_chain

        def in_one_trip(request: HttpRequest) -> HttpResponseBase:
            close_old_connections()
            try:
                return chain(request)
            finally:
                close_old_connections()

        self._middleware_chain = sync_to_async(
            in_one_trip, thread_sensitive=False, executor=_workers
        )


def http_application() -> OneTripASGIHandler:
    """As django.core.asgi.get_asgi_application, with the one-trip handler."""
    django.setup(set_prefix=False)
    return OneTripASGIHandler()
