"""The ports tables offers the apps above it: what happened at a table, for them to act on."""

from __future__ import annotations

from django.dispatch import Signal

# A phone scanned a table's code and is now a diner of its open session. Sent with
# session, diner, request and previous: the same phone's diner at this table's last
# visit if that visit ended a short while ago and this phone has just joined the new one
# (None otherwise), so what it had not sent yet can follow it.
table_scanned = Signal()

# A table's QR code was rotated (sent with table, once the new code is saved): every diner
# who joined through the old code has lost access; the apps above tell their open pages.
table_code_rotated = Signal()
