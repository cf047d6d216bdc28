"""The demo's stories written in bulk: ``manage.py seed_demo`` above a few thousand complaints,
and the benchmark's database (``bench.database``)."""
