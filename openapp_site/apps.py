from django.apps import AppConfig


class OpenAppSiteConfig(AppConfig):
    name = "openapp_site"
    verbose_name = "OpenApp"
