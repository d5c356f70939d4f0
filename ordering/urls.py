from django.urls import include, path

from ordering import views

diner_urls = [
    path("", views.menu, name="menu"),
    path("products/<int:product_id>/", views.product, name="product"),
    path("basket/", views.basket, name="basket"),
    path("basket/<int:line_id>/quantity", views.change_quantity, name="change_quantity"),
    path("basket/<int:line_id>/remove", views.remove_line, name="remove_line"),
    path("basket/note", views.save_note, name="save_note"),
    path("basket/send", views.send, name="send"),
    path("bill/", views.check, name="check"),
    path("bill/refresh", views.refresh_check, name="refresh_check"),
    path("bill/share/", views.share, name="share"),
    path("name", views.diner_name, name="name"),
    path("new-order", views.new_order, name="new_order"),
]

urlpatterns = [path("s/<uuid:session_id>/", include(diner_urls))]
