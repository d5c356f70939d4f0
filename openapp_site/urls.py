from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve

from openapp_site.health import healthz
from openapp_site.landing import landing

admin.site.site_header = "OpenApp table ordering"
admin.site.site_title = "OpenApp admin"

urlpatterns = [
    path("", landing, name="landing"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # The menu's language switch posts here (Django's set_language: sets the language cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tables.urls")),
    path("", include("ordering.urls")),
]


def menu_photo(request: HttpRequest, path: str) -> HttpResponse:
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.SERVE_STATIC:
    # The embedded server serves uploaded menu photos; production puts a web server in front.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", menu_photo)]
