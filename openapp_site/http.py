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

What Django still runs "thread-sensitively" around that trip (request_started's and
request_finished's receivers, the response's close) runs on a long-lived thread too.
Django's handler gives each request an asgiref ThreadSensitiveContext of its own, and
asgiref 3.13 makes a thread for each such context and another to join it when the
request ends: two threads started and stopped per request, 0.6-0.8 ms of CPU of a small
request's 1.5 (docs/performance.md, round 10). Here each request still has a context and
a thread of its own, as asgiref asks, but the thread is lent from those kept idle and
comes back when the request ends; requests never queue behind each other's.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponseBase

WORKERS = 32
_workers = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="http")
# Single-thread executors no request holds, lent one to a request (only the event loop
# touches the list); at most WORKERS are kept.
_idle_request_threads: list[ThreadPoolExecutor] = []


class OneTripASGIHandler(ASGIHandler):
    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        """As ASGIHandler.__call__, with a lent thread for the request's context."""
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        thread = (
            _idle_request_threads.pop()
            if _idle_request_threads
            else ThreadPoolExecutor(max_workers=1, thread_name_prefix="http-request")
        )
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            if len(_idle_request_threads) < WORKERS:
                _idle_request_threads.append(thread)
            else:
                thread.shutdown(wait=False)

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
