"""What each process keeps of its own: a small, thread-safe store of values made once per
key (a key names the menu version it was made from), the least recently used forgotten
first. The menu page, a product with its choices and a location's translations use it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Kept(Generic[V]):
    def __init__(self, at_most: int) -> None:
        self.at_most = at_most
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept under `key`, else make() kept there. Made outside the lock: two
        threads missing at once both make it, and the last one is kept."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.at_most:
                self._values.popitem(last=False)
        return value
