from django.urls import path

from ordering.consumers import DinerConsumer

websocket_urlpatterns = [
    path("ws/s/<uuid:session_id>/", DinerConsumer.as_asgi()),
]
