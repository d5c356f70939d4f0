"""Scanning a table's QR code opens or joins that table's session; nothing else does."""

from __future__ import annotations

from tables.diners import PHONE_COOKIE
from tables.models import TableSession
from tests.phones import Phone


def test_scanning_opens_the_tables_session_and_shows_the_menu(table_10):
    phone = Phone()
    response = phone.scan(table_10)
    assert response.status_code == 302
    menu = phone.client.get(response["Location"])
    assert menu.status_code == 200
    page = menu.content.decode()
    assert "Table 10" in page and "Corona" in page and "T-Bone Steak" in page
    assert phone.client.cookies[PHONE_COOKIE]["httponly"]


def test_a_second_phone_joins_the_same_session(table_10):
    first, second = Phone(), Phone()
    first.scan(table_10)
    second.scan(table_10)
    assert first.session == second.session
    assert first.session.diners.count() == 2


def test_scanning_again_brings_the_diner_back_to_the_same_basket(table_10):
    phone = Phone()
    phone.scan(table_10)
    phone.add("Garlic Bread")
    phone.scan(table_10)
    assert phone.session.diners.count() == 1
    assert "Garlic Bread" in phone.basket_text()


def test_a_forged_token_gets_a_friendly_page_not_an_error(dining_room):
    response = Phone().client.get("/t/not-a-real-token-AAAAAAAAAAAAAAAA")
    assert response.status_code == 404
    assert "This code doesn" in response.content.decode()
    assert not TableSession.objects.exists()


def test_a_table_number_is_not_a_token(dining_room):
    assert Phone().client.get("/t/10").status_code == 404


def test_a_rotated_token_stops_working_and_the_new_one_works(table_10):
    old = table_10.qr_token
    table_10.rotate_token()
    assert Phone().client.get(f"/t/{old}").status_code == 404
    assert Phone().scan(table_10).status_code == 302


def test_tokens_are_long_random_and_distinct(dining_room):
    tokens = list(dining_room.tables.values_list("qr_token", flat=True))
    assert len(set(tokens)) == len(tokens) == 20
    assert all(len(token) >= 32 for token in tokens)  # 24 random bytes = 192 bits


def test_a_diner_at_table_9_cannot_open_table_10s_pages(dining_room):
    at_10, at_9 = Phone(), Phone()
    at_10.scan(dining_room.tables.get(pos_table_id="10"))
    at_9.scan(dining_room.tables.get(pos_table_id="9"))
    for path in ["", "basket/"]:
        response = at_9.client.get(at_10.base + path)
        assert response.status_code == 403
        assert "Scan your table" in response.content.decode()
    response = at_9.client.post(at_10.base + "basket/send")
    assert response.status_code == 403


def test_a_phone_without_the_cookie_cannot_open_a_session(table_10):
    phone = Phone()
    phone.scan(table_10)
    stranger = Phone()
    assert stranger.client.get(phone.base).status_code == 403


def test_a_tampered_phone_cookie_is_ignored(table_10):
    phone = Phone()
    phone.scan(table_10)
    stranger = Phone()
    stranger.client.cookies[PHONE_COOKIE] = phone.phone_id + ":forged-signature"
    assert stranger.client.get(phone.base).status_code == 403


def test_a_closed_session_says_the_bill_is_closed_and_a_new_scan_starts_afresh(table_10):
    phone = Phone()
    phone.scan(table_10)
    old = phone.session
    old.close()
    response = phone.get("basket/")
    assert response.status_code == 410
    assert "This bill is closed" in response.content.decode()
    phone.scan(table_10)
    assert phone.session != old and phone.session.is_open
