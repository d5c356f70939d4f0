"""Add the bench's tables to the demo location and print every table's QR token as JSON.

Run in the bench database's environment after `manage.py seed_demo`:
    python -m bench.seed 500      # Tables 1..500 (seed_demo made 1..20)
"""

from __future__ import annotations

import json
import os
import sys


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from openapp_site.demo import DEMO_SLUG
    from tables.models import Location, Table

    location = Location.objects.get(slug=DEMO_SLUG)
    have = set(Table.objects.filter(location=location).values_list("pos_table_id", flat=True))
    Table.objects.bulk_create(
        Table(location=location, name=f"Table {n}", pos_table_id=str(n), position=n)
        for n in range(1, count + 1)
        if str(n) not in have
    )
    tokens = Table.objects.filter(location=location).values_list("pos_table_id", "qr_token")
    print(json.dumps(dict(tokens)))


if __name__ == "__main__":
    main(int(sys.argv[1]))
