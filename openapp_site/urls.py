from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "OpenApp table ordering"
admin.site.site_title = "OpenApp admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("ordering.urls")),
]
