"""Guessing admin passwords is throttled: after ADMIN_LOGIN_FAILURE_LIMIT (5) failures for
one username, or from one address, that username / address is locked out for a while,
even with the right password; a success resets the count."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def admin_user() -> User:
    return User.objects.create_superuser("root", password=PASSWORD)


def login(username: str, password: str, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )


def test_five_wrong_passwords_lock_the_username_out_even_from_another_address(admin_user):
    for attempt in range(5):
        assert login("root", f"guess-{attempt}", address=f"10.0.0.{attempt + 1}").status_code in (
            200,
            429,
        )
    locked = login("root", PASSWORD, address="10.9.9.9")
    assert locked.status_code == 429
    assert "locked" in locked.content.decode().lower()


def test_five_failures_from_one_address_lock_that_address_out_for_every_username(admin_user):
    for attempt in range(5):
        login(f"user{attempt}", "guess", address="10.0.0.7")
    assert login("root", PASSWORD, address="10.0.0.7").status_code == 429
    assert login("root", PASSWORD, address="10.0.0.8").status_code == 302


def test_a_success_resets_the_count(admin_user):
    for attempt in range(4):
        login("root", f"guess-{attempt}")
    assert login("root", PASSWORD).status_code == 302
    for attempt in range(4):
        login("root", f"again-{attempt}")
    assert login("root", PASSWORD).status_code == 302
