"""HTTP and WebSocket routing for daphne."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openapp_site.settings")

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.urls import re_path

from openapp_site.http import http_application

django_asgi_app = http_application()

from openapp_site.websockets import NoRoute, SameOriginValidator  # noqa: E402
from ordering.routing import staff_websocket_urlpatterns, websocket_urlpatterns  # noqa: E402

http_app = django_asgi_app
if settings.SERVE_STATIC:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    http_app = ASGIStaticFilesHandler(django_asgi_app)

application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": SameOriginValidator(
            CookieMiddleware(
                URLRouter(
                    [
                        *staff_websocket_urlpatterns,
                        *websocket_urlpatterns,
                        re_path(r"", NoRoute.as_asgi()),
                    ]
                )
            )
        ),
    }
)
