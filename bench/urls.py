"""The product's URLs plus /bench/bare: a Django view returning a constant string."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from openapp_site.urls import urlpatterns as product_urlpatterns

BARE_TEXT = "bare Django view\n"


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE_TEXT, content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *product_urlpatterns]
