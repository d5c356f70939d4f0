"""A phone's network, which a test can take away: a TCP relay on a loopback port between
the browser and the site. `away()` cuts every connection through it and turns new ones away
until `back()`; the browser sees what a phone in a lift sees (its WebSocket drops, 1006,
and htmx's ws extension reconnects with backoff), with nothing in the page changed.

    with PhoneNetwork(demo.base_url) as network:
        page.goto(network.address(demo.table_url(10)))
        network.away()
        ...
        network.back()
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

CHUNK = 65536


class PhoneNetwork:
    def __init__(self, site_url: str) -> None:
        site = urlsplit(site_url)
        self._site = (site.hostname or "127.0.0.1", site.port or 80)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._away = False
        self._stopped = False
        threading.Thread(target=self._accept, name="phone-network", daemon=True).start()

    def __enter__(self) -> PhoneNetwork:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopped = True
        self._listener.close()
        self._cut()

    def address(self, url: str) -> str:
        """`url` on the site, reached through this network."""
        parts = urlsplit(url)
        return urlunsplit(parts._replace(netloc=f"127.0.0.1:{self.port}"))

    def away(self) -> None:
        """The phone loses its signal: every connection drops, and none gets through."""
        with self._lock:
            self._away = True
        self._cut()

    def back(self) -> None:
        with self._lock:
            self._away = False

    def _cut(self) -> None:
        with self._lock:
            cut, self._open = self._open, set()
        for sock in cut:
            _close(sock)

    def _accept(self) -> None:
        while not self._stopped:
            try:
                phone, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                refused = self._away
            if refused:
                _close(phone)
                continue
            try:
                site = socket.create_connection(self._site, timeout=5)
            except OSError:
                _close(phone)
                continue
            site.settimeout(None)
            with self._lock:
                self._open.update((phone, site))
            for source, sink in ((phone, site), (site, phone)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(CHUNK):
            sink.sendall(data)
    except OSError:
        pass  # cut
    finally:
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected, or closed already
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
