from django.urls import path

from tables import views

urlpatterns = [
    path("t/<str:token>", views.scan, name="scan"),
    path("t/<str:token>/", views.scan),
]
