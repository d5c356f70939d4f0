"""A signing key for one checkout's own SQLite demo, made on first use and kept in `var/`.

Only used when no DATABASE_URL is set: a production deployment must give SECRET_KEY.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

KEY_BYTES = 50


def local_secret_key(path: Path) -> str:
    """The key stored at `path`, created (readable by its owner only) if there is none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(path)
    key = secrets.token_urlsafe(KEY_BYTES)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    return key


def _read_when_written(path: Path, timeout: float = 2.0) -> str:
    # Two processes starting at once (the demo and a manage.py command): the loser may read
    # the file before the winner has written it.
    deadline = time.monotonic() + timeout
    while True:
        key = path.read_text(encoding="utf-8").strip()
        if key or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    if not key:
        raise RuntimeError(f"{path} is empty: delete it and a new key is made")
    return key
