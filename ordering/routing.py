from channels.auth import AuthMiddleware
from channels.sessions import SessionMiddleware
from django.urls import path

from ordering.consumers import DinerConsumer
from ordering.staff_consumers import FloorConsumer

websocket_urlpatterns = [
    path("ws/s/<uuid:session_id>/", DinerConsumer.as_asgi()),
]

# Staff sockets: the admin's session (read from the cookies, openapp_site.asgi) says who
# is asking; diners' sockets never look at it.
staff_websocket_urlpatterns = [
    path(
        "ws/floor/<int:location_id>/",
        SessionMiddleware(AuthMiddleware(FloorConsumer.as_asgi())),
    ),
]
