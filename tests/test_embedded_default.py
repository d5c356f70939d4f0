"""Without DATABASE_URL a command typed into a plain shell just works (the checkout's own
demo, with a signing key of its own); with DATABASE_URL it is production and needs
SECRET_KEY."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.live_demo import MANAGE_PY, PROJECT_DIR


def plain_shell(**variables: str) -> dict[str, str]:
    """A login shell's environment: none of the project's variables, only these."""
    keep = {"PATH", "HOME", "LANG", "TMPDIR"}
    return {**{k: v for k, v in os.environ.items() if k in keep}, **variables}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MANAGE_PY), *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_plain_shell_gets_the_embedded_demo_with_a_key_kept_for_next_time(tmp_path: Path):
    env = plain_shell(SQLITE_PATH=str(tmp_path / "demo.sqlite3"))

    first = manage(env, "diffsettings", "--output", "unified")
    second = manage(env, "diffsettings", "--output", "unified")

    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret-key"
    key = key_file.read_text().strip()
    assert len(key) >= 50
    assert f"+ SECRET_KEY = '{key}'" in first.stdout
    assert f"+ SECRET_KEY = '{key}'" in second.stdout
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_production_without_a_secret_key_refuses_to_start(tmp_path: Path):
    env = plain_shell(
        DATABASE_URL="postgres://openapp@127.0.0.1:1/openapp",
        SQLITE_PATH=str(tmp_path / "demo.sqlite3"),
    )

    done = manage(env, "check")

    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr
    assert not (tmp_path / "secret-key").exists()
