"""The menu, baskets, batches (the outbox), the table's check, the diner pages and their
live pushes, and the admin of all of it.

May import `tables`; never `pos_bridge` or `openapp_site`. Work for the till is announced
through `ordering.signals`; the bridge calls this app's domain functions (`batches.record_*`,
`live.change_arrived`, `live.snapshot_arrived`, `live.till_changed`) with what the POS said.
"""
