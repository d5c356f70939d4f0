"""The wire to the POS: protocol messages and codec, one client connection per POS, the
worker that sends batches and asks for snapshots, leases between workers, the message log.

May import `ordering` and `tables`; renders no HTML. `pos_bridge.simulator` is a separate
implementation of the POS side that imports nothing of the product.
"""
