"""The "Your share" page: each diner's part of the bill, from figures the till gave afresh.

Opening it is payment-sensitive, so it asks the POS for the table's check again (the
seed: before payment-sensitive actions) and waits a moment for the answer; an answer that
comes later is pushed to the page over the diner's socket like any change to the check.
"""

from __future__ import annotations

import time
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from ordering import checks, live, shares
from ordering.models import CheckSupport, TableCheck
from tables.models import Diner, TableSession


def fresh_check(session: TableSession, wait_seconds: float) -> bool:
    """Ask the till for the table's check; True if it answered within `wait_seconds`."""
    asked = timezone.now()
    checks.want_refresh(session)
    if wait_seconds <= 0:
        return False
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if TableCheck.objects.filter(
            session=session, refreshed_at__gte=asked, refresh_wanted_at__isnull=True
        ).exists():
            return True
        time.sleep(0.05)  # a bounded wait for the bridge's answer, not a test's sleep
    return False


def _answered(check: TableCheck) -> bool:
    """The till has answered every request for this check (none outstanding)."""
    return check.refreshed_at is not None and check.refresh_wanted_at is None


def share_context(
    session: TableSession,
    diner: Diner,
    *,
    fresh: bool | None = None,
    view: live.TableView | None = None,
    as_of: datetime | None = None,
) -> dict:
    view = view or live.table_view(session)
    check = view.check
    asking = False
    if fresh is None:  # a phone (re)connecting: the till may be answering right now
        fresh = _answered(check)
        asking = check.refresh_wanted_at is not None and view.till_reachable
    if as_of is None:
        known = [t for t in (check.refreshed_at, check.updated_at) if t is not None]
        as_of = max(known) if known else None
    state = view.state
    table = shares.table_shares(state, view.owners, view.diner_ids, view.names) if state else None
    if table is not None:  # your own share first
        table.diners.sort(key=lambda share: share.diner_id != diner.pk)
    return {
        "shares": table if table is not None and state.lines else None,
        "state": state,
        "you": diner.pk,
        "asking": asking,
        "till_asked": fresh
        and view.till_reachable
        and check.support not in (CheckSupport.UNAVAILABLE, CheckSupport.OWN_BATCHES),
        "as_of": timezone.localtime(as_of) if as_of else None,
        "currency": (state.currency if state else None) or session.table.location.currency,
        "session": session,
    }


def render_share(session: TableSession, diner: Diner, view: live.TableView | None = None) -> str:
    """The share for one phone: read from the database, or from a pushed check (`view`),
    which the POS has just given."""
    if view is None:
        context = share_context(session, diner)
    else:
        context = share_context(session, diner, fresh=True, view=view, as_of=timezone.now())
    return render_to_string("ordering/_share.html", context)
