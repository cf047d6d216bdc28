"""Demo data for the complaint desk, written by ``manage.py seed_demo``.

``world`` makes the estates, units, residents, calendars and staff; ``scenario`` and ``story``
plan each complaint's life; ``replay`` takes every planned step through the real services
with the clock at its time. ``bench.bulk`` writes the same plans' rows in bulk, for the
benchmark's sizes.
"""
