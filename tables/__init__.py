"""Locations, tables, QR codes, table sessions (visits) and diners (phones).

The bottom layer: imports no other app of the project. What happens here that the apps
above care about is announced through `tables.signals` (a phone scanned a table).
"""
