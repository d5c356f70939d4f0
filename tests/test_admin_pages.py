"""The admin as managers and staff use it: every page opens, the POS token is write-only,
staff change availability and nothing else, orders are read-only and readable."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from ordering.models import Batch, BatchLine, BatchState, Modifier, ModifierGroup, TableCheck
from pos_bridge.models import PosConnection, PosMessage
from tables.models import Location, LocationMembership
from tests.test_admin_people import logged_in, person, second_location

pytestmark = pytest.mark.django_db

SECRET = "pos-secret-7f3a9c1e"


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of a change page (its inlines' management forms and row ids), as a
    browser would post them back."""
    fields = {}
    for tag in re.findall(r'<input type="hidden"[^>]*>', page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name[1] != "csrfmiddlewaretoken":
            fields[name[1]] = value[1] if value else ""
    return fields


@pytest.fixture
def manager(dining_room: Location) -> Client:
    return logged_in(person("morgan", "Managers", dining_room))


@pytest.fixture
def staff(dining_room: Location) -> Client:
    return logged_in(person("sam", "Staff", dining_room))


@pytest.fixture
def superuser(dining_room: Location) -> Client:
    return logged_in(User.objects.create_superuser("root", password="x"))


@pytest.fixture
def sent_batch(table_10) -> Batch:
    session = table_10.open_session()
    diner, _ = session.join("phone-1")
    batch = Batch.objects.create(
        session=session, diner=diner, use_pos_prices=True, state=BatchState.ACCEPTED
    )
    BatchLine.objects.create(
        batch=batch,
        plu="steak",
        name="T-Bone Steak",
        quantity=2,
        unit_price=Decimal("26.00"),
        modifiers=[
            {"plu": "rare", "name": "Rare", "price": "0.00", "provider_product_id": "x"},
            {"plu": "pep", "name": "Peppercorn sauce", "price": "2.00", "provider_product_id": "y"},
        ],
        instruction="No salad",
    )
    TableCheck.objects.create(
        session=session,
        version=3,
        state={
            "currency": "GBP",
            "lines": [
                {
                    "line_id": "1",
                    "name": "T-Bone Steak",
                    "quantity": 2,
                    "total": "56.00",
                    "status": "delivered",
                    "variant": "",
                    "details": ["Rare", "Peppercorn sauce"],
                    "by_staff": False,
                    "batch_id": str(batch.id),
                }
            ],
            "adjustments": [],
            "taxes": [{"name": "VAT", "amount": "9.33", "added_on_top": False}],
            "service_charge": "7.00",
            "amount": "63.00",
            "amount_owing": "63.00",
            "is_closed": False,
            "order_number": "1042",
        },
    )
    return batch


@pytest.fixture
def logged_frame(dining_room: Location) -> PosMessage:
    return PosMessage.objects.create(
        connection=PosConnection.objects.get(location=dining_room),
        at=timezone.now(),
        direction=PosMessage.IN,
        kind="response",
        message_type=11,
        reference="5d1e",
        result_code=0,
        size=60,
        text='{"RequestID": "5d1e", "MessageType": 11, "ResultCode": 0}',
    )


def pages_for(location: Location, batch: Batch) -> list[str]:
    table = location.tables.get(pos_table_id="10")
    product = location.products.get(name="T-Bone Steak")
    group = product.modifier_groups.first()
    modifier = group.modifiers.first()
    return [
        "/admin/",
        "/admin/tables/location/",
        f"/admin/tables/location/{location.pk}/change/",
        f"/admin/tables/location/{location.pk}/menu/",
        "/admin/tables/table/",
        "/admin/tables/table/?q=10",
        "/admin/tables/table/?occupied=yes",
        f"/admin/tables/table/{table.pk}/change/",
        f"/admin/tables/table/{table.pk}/history/",
        "/admin/tables/tablesession/",
        "/admin/tables/tablesession/?status=open",
        f"/admin/tables/tablesession/{batch.session_id}/change/",
        "/admin/ordering/category/",
        "/admin/ordering/product/",
        "/admin/ordering/product/?q=steak",
        "/admin/ordering/product/?is_available__exact=0",
        f"/admin/ordering/product/{product.pk}/change/",
        "/admin/ordering/modifiergroup/",
        f"/admin/ordering/modifiergroup/{group.pk}/change/",
        "/admin/ordering/modifier/",
        f"/admin/ordering/modifier/{modifier.pk}/change/",
        "/admin/ordering/batch/",
        "/admin/ordering/batch/?state__exact=accepted",
        f"/admin/ordering/batch/{batch.pk}/change/",
        "/admin/ordering/dietarytag/",
        "/admin/ordering/allergen/",
    ]


MANAGER_ONLY = [
    "/admin/pos_bridge/posconnection/",
    "/admin/pos_bridge/posmessage/",
    "/admin/tables/table/add/",
    "/admin/ordering/product/add/",
    "/admin/ordering/category/add/",
    "/admin/ordering/modifiergroup/add/",
]


def test_every_page_opens_for_superusers_managers_and_staff(
    superuser, manager, staff, dining_room, sent_batch
):
    pages = pages_for(dining_room, sent_batch)
    connection = PosConnection.objects.get(location=dining_room)
    for client, extra in [
        (superuser, [*MANAGER_ONLY, "/admin/tables/location/add/"]),
        (manager, [*MANAGER_ONLY, f"/admin/pos_bridge/posconnection/{connection.pk}/change/"]),
        (staff, []),
    ]:
        for url in pages + extra:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
    for url in MANAGER_ONLY:
        assert staff.get(url).status_code == 403, url
    assert manager.get("/admin/tables/location/add/").status_code == 403


def test_with_two_locations_every_list_still_opens(superuser, dining_room, sent_batch):
    second_location()
    for url in pages_for(dining_room, sent_batch):
        assert superuser.get(url).status_code == 200, url


def token_form(connection: PosConnection, **changes: str) -> dict[str, str]:
    return {
        "location": str(connection.location_id),
        "url": connection.url,
        "is_enabled": "on",
        "provider_id": str(connection.provider_id),
        "provider_name": connection.provider_name,
        "device_id": connection.device_id,
        "pos_user_id": connection.pos_user_id,
        "new_token": "",
        **changes,
    }


def test_the_pos_token_is_never_shown_after_saving(manager, dining_room):
    connection = PosConnection.objects.get(location=dining_room)
    url = f"/admin/pos_bridge/posconnection/{connection.pk}/change/"

    response = manager.post(url, token_form(connection, new_token=SECRET))
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.token == SECRET
    for page in [url, "/admin/pos_bridge/posconnection/", url.replace("change", "history")]:
        assert SECRET not in manager.get(page).content.decode(), page
    assert "Saved (hidden)" in manager.get(url).content.decode()
    assert 'autocomplete="new-password"' in manager.get(url).content.decode()

    manager.post(url, token_form(connection, device_id="till-2"))  # blank keeps the token
    connection.refresh_from_db()
    assert connection.token == SECRET and connection.device_id == "till-2"

    both = manager.post(url, token_form(connection, new_token="other", clear_token="on"))
    assert "Either type a new token or remove it" in both.content.decode()
    connection.refresh_from_db()
    assert connection.token == SECRET

    manager.post(url, token_form(connection, clear_token="on"))
    connection.refresh_from_db()
    assert connection.token == ""
    assert not LogEntry.objects.filter(change_message__contains=SECRET).exists()


def test_the_pos_address_must_be_a_websocket_url(manager, dining_room):
    connection = PosConnection.objects.get(location=dining_room)
    url = f"/admin/pos_bridge/posconnection/{connection.pk}/change/"
    response = manager.post(url, token_form(connection, url="http://till.local"))
    assert "ws://… or wss://…" in response.content.decode()


def location_form(location: Location, **changes: str) -> dict[str, str]:
    return {
        "name": location.name,
        "slug": location.slug,
        "currency": location.currency,
        "table_service_mode_id": location.table_service_mode_id,
        "language": location.language,
        "use_pos_prices": "True",
        **changes,
    }


def test_a_manager_chooses_who_sets_prices_and_training_mode(manager, dining_room):
    url = f"/admin/tables/location/{dining_room.pk}/change/"
    page = manager.get(url).content.decode()
    assert "POS prices: the POS charges its own prices" in page
    assert "Menu prices: the POS is asked to charge the prices on this menu" in page
    assert "Print QR codes (A4)" in page and "Menu import and export" in page
    assert "People working here" not in page  # only superusers hand out access

    response = manager.post(
        url, location_form(dining_room, use_pos_prices="False", is_training="on", currency="eur")
    )
    assert response.status_code == 302
    dining_room.refresh_from_db()
    assert not dining_room.use_pos_prices and dining_room.is_training
    assert dining_room.currency == "EUR"

    manager.post(url, location_form(dining_room))
    dining_room.refresh_from_db()
    assert dining_room.use_pos_prices and not dining_room.is_training


def test_a_superuser_gives_people_access_to_a_location(superuser, dining_room):
    sam = person("sam", "Staff")
    url = f"/admin/tables/location/{dining_room.pk}/change/"
    assert "People working here" in superuser.get(url).content.decode()
    response = superuser.post(
        url,
        location_form(
            dining_room,
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "0",
                "memberships-0-user": str(sam.pk),
            },
        ),
    )
    assert response.status_code == 302
    assert LocationMembership.objects.filter(user=sam, location=dining_room).exists()


def test_staff_can_change_availability_and_nothing_else(staff, dining_room):
    product = dining_room.products.get(plu="401")
    url = f"/admin/ordering/product/{product.pk}/change/"
    page = staff.get(url).content.decode()
    assert 'name="is_available"' in page
    assert 'name="name"' not in page and 'name="price"' not in page
    form = {**hidden_fields(page), "name": "Free beer", "price": "0.00"}
    response = staff.post(url, form)  # is_available unticked: sold out
    assert response.status_code == 302
    product.refresh_from_db()
    assert not product.is_available
    assert product.name == "Corona" and product.price != Decimal("0.00")

    modifier = Modifier.objects.filter(group__product__location=dining_room).first()
    listing = staff.post(
        "/admin/ordering/modifier/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(modifier.pk),
            "_save": "Save",
        },
    )
    assert listing.status_code == 302
    modifier.refresh_from_db()
    assert not modifier.is_available

    assert staff.post(f"/admin/ordering/product/{product.pk}/delete/").status_code == 403
    group = ModifierGroup.objects.filter(product__location=dining_room).first()
    assert staff.post(f"/admin/ordering/modifiergroup/{group.pk}/change/", {}).status_code == 403


def test_a_product_must_use_its_own_locations_category(dining_room):
    harbour = second_location()
    client = logged_in(person("pat", "Managers", dining_room, harbour))
    product = dining_room.products.get(plu="401")
    page = client.get(f"/admin/ordering/product/{product.pk}/change/").content.decode()
    form = {
        "location": str(dining_room.pk),
        "category": str(harbour.categories.first().pk),
        "name": "Corona",
        "plu": "401",
        "price": "7.00",
        "is_available": "on",
        "position": "0",
    }
    form |= hidden_fields(page)
    response = client.post(f"/admin/ordering/product/{product.pk}/change/", form)
    assert "Choose one of The Corona &amp; Steak&#x27;s categories." in response.content.decode()


def test_a_modifier_group_cannot_ask_for_more_than_it_allows(manager, dining_room):
    product = dining_room.products.get(name="T-Bone Steak")
    response = manager.post(
        "/admin/ordering/modifiergroup/add/",
        {
            "product": str(product.pk),
            "name": "Sauces",
            "min_choices": "3",
            "max_choices": "2",
            "position": "0",
            "modifiers-TOTAL_FORMS": "0",
            "modifiers-INITIAL_FORMS": "0",
        },
    )
    assert "The minimum can&#x27;t be more than the maximum." in response.content.decode()


def test_orders_are_read_only_and_readable(manager, superuser, sent_batch):
    url = f"/admin/ordering/batch/{sent_batch.pk}/change/"
    for client in [manager, superuser]:
        page = client.get(url).content.decode()
        assert "Rare, Peppercorn sauce (+£2.00)" in page
        assert "£26.00" in page and "£52.00" in page
        assert 'name="_save"' not in page
        assert "[{" not in page and "provider_product_id" not in page
        assert client.post(url, {"note": "changed"}).status_code == 403
        assert client.get(f"/admin/ordering/batch/{sent_batch.pk}/delete/").status_code == 403
        assert client.get("/admin/ordering/batch/add/").status_code == 403

    session = manager.get(f"/admin/tables/tablesession/{sent_batch.session_id}/change/")
    page = session.content.decode()
    assert "Open · POS order 1042" in page
    assert "T-Bone Steak<br><small>Rare, Peppercorn sauce</small>" in page
    assert "Delivered" in page and "VAT (included)" in page and "£63.00" in page
    assert '"line_id"' not in page
    assert "2 × T-Bone Steak" in page  # the batch, listed under the session


def test_the_pos_message_log_is_read_only_and_readable(manager, staff, dining_room, logged_frame):
    connection = PosConnection.objects.get(location=dining_room)
    page = manager.get(f"/admin/pos_bridge/posconnection/{connection.pk}/change/").content
    assert f"?connection__id__exact={connection.pk}" in page.decode()
    listing = manager.get(f"/admin/pos_bridge/posmessage/?connection__id__exact={connection.pk}")
    assert "Create order" in listing.content.decode()

    url = f"/admin/pos_bridge/posmessage/{logged_frame.pk}/change/"
    page = html.unescape(manager.get(url).content.decode())
    assert '"RequestID": "5d1e",\n  "MessageType": 11' in page  # pretty-printed
    assert 'name="_save"' not in page
    assert manager.post(url, {}).status_code == 403
    assert manager.get(url.replace("change", "delete")).status_code == 403
    assert staff.get(url).status_code == 403
