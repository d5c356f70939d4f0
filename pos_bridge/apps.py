from django.apps import AppConfig


class PosBridgeConfig(AppConfig):
    name = "pos_bridge"
    verbose_name = "POS connections"

    def ready(self) -> None:
        from ordering.signals import till_work_waiting
        from pos_bridge.wakeup import wake_bridge

        till_work_waiting.connect(wake_bridge, dispatch_uid="pos_bridge.wake")
