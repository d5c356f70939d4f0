"""The product's settings, unchanged, plus the bench's bare view (bench/urls.py).

Every product process the bench starts runs with DJANGO_SETTINGS_MODULE=bench.settings, so
the bare view is served by the same processes, middleware and server as the diner pages.
"""

from openapp_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
