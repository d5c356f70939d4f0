from django.apps import AppConfig


class PosBridgeConfig(AppConfig):
    name = "pos_bridge"
    verbose_name = "POS connections"
