"""The entry point of a production web process: `daphne openapp_site.serve:application`.

The same application as openapp_site.asgi, with the process's start-up tuning done here,
where the process starts, rather than as a side effect of importing the application.
"""

from openapp_site.asgi import application
from openapp_site.gc_pauses import keep_gc_pauses_short

__all__ = ["application"]

keep_gc_pauses_short()
