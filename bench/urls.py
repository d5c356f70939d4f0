"""The product's URLs plus /bench/bare: the bare Django view the diner pages are compared
with. It goes through the product's middleware (gzip included) and renders a template to a
page of the menu page's size (about 30 kB, 72 items; the demo menu has 57), with no
database and no cache."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from openapp_site.urls import urlpatterns as product_urlpatterns

BARE_PAGE = engines["django"].from_string(
    """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Bare page</title></head>
<body hx-headers='{"X-CSRFToken": "{{ csrf_token }}"}'>
<main id="main"><div id="menu-list">
{% for section in sections %}<section class="category" id="category-{{ section.id }}">
<h2>{{ section.name }}</h2><ul class="products">
{% for item in section.items %}<li class="product" id="product-{{ item.id }}">
  <a href="/bench/items/{{ item.id }}/">
    <span class="product-name">{{ item.name }}</span>
    <span class="product-price">£{{ item.price }}</span>
    <span class="product-description">{{ item.description }}</span>
    <span class="tags"><span class="tag tag-diet">{{ item.tag }}</span></span>
  </a>
</li>
{% endfor %}</ul></section>
{% endfor %}</div></main>
</body>
</html>
"""
)
# Words for descriptions that compress about as well as a real menu's.
_TEXT = (
    "toasted sourdough garlic butter parsley seasonal soup crusty bread salted slow braised "
    "beef shin red wine jus mash greens crispy pork belly apple cider glaze charred leeks "
    "smoked haddock poached egg mustard sauce wild mushroom risotto truffle oil parmesan "
    "lemon posset shortbread sticky toffee pudding custard vanilla ice cream hand cut chips"
)
WORDS = _TEXT.split()
SECTIONS = [
    {
        "id": s,
        "name": f"Section {s}",
        "items": [
            {
                "id": s * 100 + i,
                "name": f"Item {s}-{i}",
                "price": f"{5 + i}.50",
                "description": " ".join(
                    WORDS[(s * 31 + i * 7 + w * w) % len(WORDS)] for w in range(16)
                ),
                "tag": "Vegetarian" if i % 2 else "Vegan",
            }
            for i in range(17)
        ],
    }
    for s in range(6)
]


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE_PAGE.render({"sections": SECTIONS}, request))


def empty(request: HttpRequest) -> HttpResponse:
    """The handler and the middleware alone (bench/handler_cost.py)."""
    return HttpResponse("ok")


urlpatterns = [path("bench/bare", bare), path("bench/empty", empty), *product_urlpatterns]
