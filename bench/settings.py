"""The product's settings, unchanged, plus the bench's bare view (bench/urls.py).

Every product process the bench starts runs with DJANGO_SETTINGS_MODULE=bench.settings, so
the bare view is served by the same processes, middleware and server as the diner pages.
"""

from openapp_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The batch scenario's tables each send a batch every second (issue 17's load: 20 a second
# from 20 tables). The product's guard against a runaway phone (SENDS_PER_MINUTE, 6 a
# minute per diner) would turn most of them down, which is not what the bench measures.
SENDS_PER_MINUTE = 10_000
