"""Headers: a Content-Security-Policy on every page with scripts from this site only (and
no inline script or event handler left to need more), and under https the redirect, HSTS
and secure cookies, so `check --deploy` has nothing to warn about."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from tests.live_demo import PROJECT_DIR
from tests.phones import Phone

PRODUCTION = {
    "DATABASE_URL": "postgres://openapp@db.internal/openapp",
    "SECRET_KEY": "x7!Qp2#vL9@rT4$wB8%nY1^cE6&uI3*oA5(sD0)fG-hJ_kZ+mX",
    "PUBLIC_BASE_URL": "https://order.example.com",
    "ALLOWED_HOSTS": "order.example.com",
}


def script_src(response) -> str:
    policy = response["Content-Security-Policy"]
    (directive,) = [d.strip() for d in policy.split(";") if d.strip().startswith("script-src")]
    return directive


@pytest.mark.django_db
def test_every_kind_of_page_has_a_policy_with_scripts_from_self_only(table_10):
    phone = Phone()
    phone.scan(table_10)
    pages = [
        phone.get(""),
        phone.get("basket/"),
        phone.get("bill/"),
        Client().get("/"),
        Client().get("/admin/login/"),
        Client().get("/no-such-page/"),
        Client().get("/t/not-a-code"),
    ]
    for response in pages:
        directive = script_src(response)
        assert directive == "script-src 'self'", directive
        policy = response["Content-Security-Policy"]
        assert "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in (PROJECT_DIR / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                found.append(f"{path.name}: inline {tag}")
        found += [f"{path.name}: {m}" for m in re.findall(r"<[^>]*\s(on[a-z]+)\s*=", text)]
        found += [f"{path.name}: hx-on" for _ in re.findall(r"hx-on", text)]
        found += [f"{path.name}: javascript: url" for _ in re.findall(r"javascript:", text)]
    assert not found


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_the_redirect_spares_the_health_check(table_10):
    assert Client().get("/").status_code == 301
    assert Client().get("/healthz").status_code in (200, 503)


def run_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO"))}
    for name in ["DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PUBLIC_BASE_URL", "DEBUG"]:
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_in_production_gives_no_warning():
    done = run_with(PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout + done.stderr
    assert "WARNING" not in done.stdout + done.stderr


SHOW = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='openapp_site.settings';"
    "django.setup(); from django.conf import settings as s;"
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
    " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
)


def test_https_turns_on_redirect_hsts_and_secure_cookies():
    assert run_with(PRODUCTION, "-c", SHOW).stdout.split() == [
        "True",
        "31536000",
        "True",
        "True",
        "True",
    ]
    plain = {**PRODUCTION, "PUBLIC_BASE_URL": "http://order.example.com"}
    assert run_with(plain, "-c", SHOW).stdout.split() == ["False", "0", "False", "False", "False"]
    chosen = {**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "600"}
    assert run_with(chosen, "-c", SHOW).stdout.split()[:2] == ["False", "600"]
