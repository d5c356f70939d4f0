from django.apps import AppConfig
from django.db.models.signals import post_init, post_save


class OrderingConfig(AppConfig):
    name = "ordering"
    verbose_name = "Menus and orders"

    def ready(self) -> None:
        from ordering import menu_version
        from ordering.arrivals import diner_arrived
        from ordering.availability import modifier_saved, product_saved, remember_availability
        from ordering.floor import diner_arrived as floor_diner_arrived
        from ordering.floor import table_changed
        from ordering.live import code_rotated
        from ordering.models import Modifier, Product
        from ordering.signals import floor_changed
        from tables.signals import table_code_rotated, table_scanned

        post_init.connect(remember_availability, sender=Product)
        post_save.connect(product_saved, sender=Product)
        post_init.connect(remember_availability, sender=Modifier)
        post_save.connect(modifier_saved, sender=Modifier)
        table_scanned.connect(diner_arrived)
        table_code_rotated.connect(code_rotated)
        table_scanned.connect(floor_diner_arrived)
        floor_changed.connect(table_changed)
        menu_version.connect()
