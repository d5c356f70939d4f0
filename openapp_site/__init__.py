"""Composes the apps: settings, URLs, ASGI routing, the admin where it spans apps, the demo,
and the processes' entry points (run_embedded, run_pos_bridge, serve for daphne).
"""
