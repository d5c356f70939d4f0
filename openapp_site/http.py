"""Django's HTTP handling under daphne, with each request's whole path in one trip to a
worker thread.

Under ASGI, Django runs every middleware that can be either (MiddlewareMixin: all of
ours) in async mode, and each then sends its process_request and its process_response to
a worker thread and back; the view and each process_view hook make a trip more. With our
twelve middleware that is some twenty-five trips between the event loop and a thread on
every request, each a task, a future and a thread's wake-up. Here the middleware, the
view and its hooks run synchronously, in order, as under WSGI, on the request's worker
thread: one trip. Async views (/healthz) still run on the event loop (Django's sync path
calls them through async_to_sync). bench/README.md and docs/performance.md say what this
saved.
"""

from __future__ import annotations

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class OneTripASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


def http_application() -> OneTripASGIHandler:
    """As django.core.asgi.get_asgi_application, with the one-trip handler."""
    django.setup(set_prefix=False)
    return OneTripASGIHandler()
