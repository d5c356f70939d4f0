"""A manager uploads a menu photo in the admin; diners see it on the menu and product page."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from PIL import Image

from ordering.models import Product
from tests.phones import Phone
from tests.test_admin_people import logged_in, person


def jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "bread.jpg"
    return buffer


@pytest.fixture
def media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


def upload(manager, product: Product, photo: io.BytesIO):
    """Post the product's admin form unchanged but for the photo, as the admin page does."""
    change = f"/admin/ordering/product/{product.pk}/change/"
    form = manager.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not hasattr(v, "all")}
    for name in ("dietary_tags", "allergens"):
        data[name] = [tag.pk for tag in form.initial.get(name, [])]
    for prefix in ("variants", "modifier_groups", "translations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return manager.post(change, {**data, "image": photo})


def test_a_photo_uploaded_in_the_admin_shows_on_the_diners_menu(dining_room, table_10, media):
    manager = logged_in(person("morgan", "Managers", dining_room))
    bread = Product.objects.get(location=dining_room, name="Garlic Bread")
    response = upload(manager, bread, jpeg())
    assert response.status_code == 302, response.content.decode()[:2000]
    bread.refresh_from_db()
    assert bread.image

    phone = Phone()
    phone.scan(table_10)
    assert bread.image.url in phone.get().content.decode()
    product_page = phone.get(f"products/{bread.pk}/").content.decode()
    assert f'src="{bread.image.url}"' in product_page
    assert phone.client.get(bread.image.url).status_code == 200


def test_a_file_that_is_not_an_image_is_refused_by_the_admin(dining_room, media):
    manager = logged_in(person("morgan", "Managers", dining_room))
    bread = Product.objects.get(location=dining_room, name="Garlic Bread")
    fake = io.BytesIO(b"#!/bin/sh\necho not a photo\n")
    fake.name = "photo.jpg"
    response = upload(manager, bread, fake)
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    bread.refresh_from_db()
    assert not bread.image
