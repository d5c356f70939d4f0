"""What the menu and product pages tell a diner: allergens in three plain states, the line's
total before it is added, sold-out lines flagged in baskets that hold them, and the way to a
new order once the till has closed the bill."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async

from ordering.menu_files import export_menu_csv, import_menu_file
from ordering.menu_import import export_menu, import_menu
from ordering.models import Allergen, BasketLine, Batch, Product
from pos_bridge.simulator import running_simulator
from tables.models import Table, TableSession
from tests.live_table import LivePhone, bridge_on_this_loop, eventually
from tests.phones import Phone
from tests.restaurant import make_restaurant

CORONA = "401"


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def allergens_line(page: str, product_name: str) -> str:
    """The allergen line of one product's entry on the menu list."""
    entry = re.search(
        rf'<li class="product[^"]*"[^>]*>(?:(?!</li>).)*?{re.escape(product_name)}'
        r"(?:(?!</li>).)*</li>",
        page,
        re.S,
    )
    assert entry, product_name
    found = re.search(r'<p class="allergens allergens-(\w+)">(.*?)</p>', entry.group(0), re.S)
    assert found, entry.group(0)
    return found.group(1) + ": " + " ".join(re.sub(r"<[^>]+>", " ", found.group(2)).split())


@pytest.mark.django_db
def test_allergens_read_contains_none_or_not_declared_on_menu_and_product_page(table_10):
    Product.objects.filter(name="Fresh Orange Juice").update(allergens_declared=False)
    phone = Phone()
    phone.scan(table_10)
    menu = page_text(phone.get())
    assert allergens_line(menu, "Corona") == "contains: Contains: Gluten"
    assert allergens_line(menu, "Coca-Cola") == "none: ✓ No allergens"
    assert allergens_line(menu, "Fresh Orange Juice") == (
        "undeclared: ? Allergens not declared by the restaurant"
    )
    juice = Product.objects.get(name="Fresh Orange Juice")
    assert "Allergens not declared by the restaurant" in page_text(
        phone.get(f"products/{juice.pk}/")
    )
    cola = Product.objects.get(name="Coca-Cola")
    product_page = page_text(phone.get(f"products/{cola.pk}/"))
    assert "No allergens" in product_page and "not declared" not in product_page


@pytest.mark.django_db
def test_the_menu_shows_a_change_of_allergens_at_once(table_10):
    phone = Phone()
    phone.scan(table_10)
    assert allergens_line(page_text(phone.get()), "Coca-Cola") == "none: ✓ No allergens"
    Product.objects.get(name="Coca-Cola").allergens.add(Allergen.objects.get(code="sulphites"))
    assert allergens_line(page_text(phone.get()), "Coca-Cola") == "contains: Contains: Sulphites"


@pytest.mark.django_db
def test_the_menu_list_is_the_same_for_every_diner_whatever_they_hide(table_10):
    """Hiding by allergen happens on the phone: nothing of one diner is in the list."""
    anna, ben = Phone(), Phone()
    anna.scan(table_10)
    ben.scan(table_10)
    lists = [
        phone.client.get(
            phone.base, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="menu-list"
        ).content.decode()
        for phone in (anna, ben)
    ]
    assert lists[0].lstrip().startswith('<div id="menu-list">')
    assert lists[0] == lists[1]
    assert 'data-allergens="gluten"' in lists[0]
    assert 'id="allergen-filters"' in anna.get().content.decode()


@pytest.mark.django_db
def test_a_menu_file_says_whether_allergens_were_declared(dining_room):
    data = export_menu(dining_room)
    products = [p for c in data["categories"] for p in c["products"]]
    cola = next(p for p in products if p["name"] == "Coca-Cola")
    assert cola["allergens"] == []  # declared: none
    del cola["allergens"]
    juice = next(p for p in products if p["name"] == "Fresh Orange Juice")
    juice["allergens"] = None
    import_menu(dining_room, json.loads(json.dumps(data)))
    assert Product.objects.get(name="Coca-Cola").allergen_state == "undeclared"
    assert Product.objects.get(name="Fresh Orange Juice").allergen_state == "undeclared"
    assert Product.objects.get(name="Corona").allergen_state == "contains"

    csv = export_menu_csv(dining_room)
    assert re.search(r"Coca-Cola,Soft Drinks,3\.50,[^\r]*,,yes\r", csv)
    assert ",none,yes\r" in csv  # e.g. the T-Bone Steak, declared to have none
    import_menu_file(dining_room, csv.replace(",none,yes", ",,yes").encode(), "csv")
    assert Product.objects.get(name="T-Bone Steak").allergen_state == "undeclared"
    header = csv.split("\r\n")[0]
    row = "X1,Toast,Breakfast,2.00,,,none,yes"
    import_menu_file(dining_room, f"{header}\r\n{row}\r\n".encode(), "csv")
    assert Product.objects.get(plu="X1").allergen_state == "none"


@pytest.mark.django_db
def test_the_product_page_shows_the_lines_total_without_a_script(table_10):
    phone = Phone()
    phone.scan(table_10)
    steak = Product.objects.get(name="T-Bone Steak")
    page = page_text(phone.get(f"products/{steak.pk}/"))
    assert re.search(r'<output id="line-total"[^>]*>£29\.95</output>', page)
    assert 'data-base-price="29.95"' in page and 'data-modifier-price="1.50"' in page
    # A form sent back with a problem shows the total of what it had ticked.
    medium = steak.modifier_groups.get(name="Cooking").modifiers.get(name="Medium")
    bearnaise = steak.modifier_groups.get(name="Sauce").modifiers.get(name="Béarnaise")
    answer = phone.post(
        f"products/{steak.pk}/",
        {
            f"group_{medium.group_id}": medium.pk,
            f"group_{bearnaise.group_id}": bearnaise.pk,
            "quantity": "2",
            "instruction": "x" * 300,
        },
    )
    assert answer.status_code == 200
    assert re.search(r'<output id="line-total"[^>]*>£62\.90</output>', page_text(answer))


@pytest.mark.django_db
def test_the_basket_prices_a_line_from_the_menu_not_from_the_page(table_10):
    phone = Phone()
    phone.scan(table_10)
    answer = phone.add(
        "Thames Pale Ale", variant="HALF", quantity=2, extra={"data-price": "0.01", "price": "0"}
    )
    assert answer.status_code == 302
    assert BasketLine.objects.get(diner=phone.diner).total() == Decimal("6.20")
    assert "£6.20" in page_text(phone.get("basket/"))


@pytest.mark.django_db
def test_a_basket_line_holding_a_product_that_sold_out_is_flagged(table_10):
    phone = Phone()
    phone.scan(table_10)
    phone.add("Corona", variant="PINT", quantity=1)
    assert "No longer available" not in page_text(phone.get("basket/"))
    Product.objects.filter(name="Corona").update(is_available=False)
    basket = page_text(phone.get("basket/"))
    assert "No longer available — remove it to send the rest." in basket
    assert 'class="basket-line has-problem"' in basket


@pytest.mark.django_db(transaction=True)
async def test_a_pos_sell_out_flags_the_line_in_another_tables_basket_live():
    with running_simulator(stock={CORONA: 0}) as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            ben = LivePhone()
            await ben.scan(await Table.objects.aget(location=restaurant, pos_table_id="3"))
            await ben.call("add", "Corona", variant="PINT", quantity=1)
            assert await ben.connect(f"/ws/s/{ben.phone.session.public_id}/?page=basket")
            await ben.next_push()  # the present, on connect

            anna = LivePhone()
            await anna.scan(await Table.objects.aget(location=restaurant, pos_table_id="10"))
            await anna.call("add", "Corona", variant="PINT", quantity=1)
            await anna.call("send")
            flagged = await ben.push_containing("No longer available")
            assert 'id="basket"' in flagged and "Corona" in flagged
        await ben.hang_up()


@pytest.mark.django_db(transaction=True)
async def test_an_option_sold_out_flags_the_lines_holding_it_live_and_they_are_not_sent():
    from ordering.models import Modifier

    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        ben = LivePhone()
        await ben.scan(await Table.objects.aget(location=restaurant, pos_table_id="3"))
        await ben.call("add", "Classic Beef Burger", choices=["Medium", "Brioche Bun"])
        await ben.call("add", "Classic Beef Burger", choices=["Medium", "Sesame Bun"])
        assert await ben.connect(f"/ws/s/{ben.phone.session.public_id}/?page=basket")
        await ben.next_push()  # the present, on connect

        def sell_out_the_brioche() -> None:
            brioche = Modifier.objects.get(group__product__location=restaurant, name="Brioche Bun")
            brioche.is_available = False
            brioche.save()

        await sync_to_async(sell_out_the_brioche)()
        flagged = await ben.push_containing("Brioche Bun is no longer available")
        assert flagged.count('class="basket-line has-problem"') == 1, flagged
        await ben.hang_up()
        await ben.call("send")
        basket = page_text(await ben.call("get", "basket/"))
        assert (
            "No longer available: Classic Beef Burger (Brioche Bun). Remove it to send." in basket
        )
        sent = sync_to_async(lambda: Batch.objects.filter(diner=ben.phone.diner).exists())
        assert not await sent()


@pytest.mark.django_db
def test_start_a_new_order_after_the_bill_closed_joins_the_tables_next_visit(table_10):
    phone = Phone(enforce_csrf=True)
    phone.scan(table_10)
    first = phone.session
    phone.session.close()
    closed_page = page_text(phone.get())
    assert "This bill is closed" in closed_page
    assert "Start a new order" in closed_page and "See the final bill" in closed_page
    assert phone.get("bill/").status_code == 200  # the last bill stays readable
    token = phone.client.cookies["csrftoken"].value
    answer = phone.post("new-order", HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 302
    new_visit = TableSession.objects.get(table=table_10, closed_at__isnull=True)
    assert new_visit != first
    assert answer["Location"] == f"/s/{new_visit.public_id}/"

    # Pressed with htmx (as on a page the till closed live), it says where to go.
    phone.session = new_visit
    assert (
        phone.post("new-order", HTTP_X_CSRFTOKEN=token, HTTP_HX_REQUEST="true")["HX-Redirect"]
        == f"/s/{new_visit.public_id}/"
    )


@pytest.mark.django_db
def test_start_a_new_order_needs_the_csrf_token_and_the_tables_current_code(table_10):
    careful = Phone(enforce_csrf=True)
    careful.scan(table_10)
    careful.session.close()
    assert careful.post("new-order").status_code == 403  # no CSRF token

    stranger = Phone()
    answer = stranger.client.post(f"/s/{careful.session.public_id}/new-order")
    assert answer.status_code == 403 and "Scan the QR code on your table" in page_text(answer)

    # The code this phone scanned was replaced since: it is asked to scan the new one.
    earlier = Phone()
    earlier.scan(table_10)
    earlier.session.close()
    table_10.rotate_token()
    answer = earlier.post("new-order")
    assert answer.status_code == 403
    assert "Scan the code on your table again" in page_text(answer)
    assert not TableSession.objects.filter(table=table_10, closed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
async def test_the_closed_visit_is_pushed_with_its_new_order_button():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            anna = LivePhone()
            await anna.scan(await Table.objects.aget(location=restaurant, pos_table_id="10"))
            assert await anna.connect(bill_page=False)
            await anna.call("add", "Corona", variant="PINT", quantity=1)
            await anna.call("send")
            await anna.push_containing("Your order is in")
            await sync_to_async(pos.close_order)("10")
            pushed = await anna.push_containing("Start a new order")
            assert "Your table&#x27;s bill is closed" in pushed
            assert f"/s/{anna.phone.session.public_id}/new-order" in pushed
            assert f"/s/{anna.phone.session.public_id}/bill/" in pushed
        await anna.hang_up()
    session = await eventually(
        lambda: TableSession.objects.filter(closed_at__isnull=False).first(), what="closed"
    )
    assert session is not None
