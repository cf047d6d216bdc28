"""Demo data for the complaint desk, written by ``manage.py seed_demo``.

``world`` makes the estates, units, residents, calendars and staff; ``scenario`` and ``story``
make each complaint's life the way the services and the sweep would have written it; ``seed``
inserts them in bulk, batch by batch.
"""

from complaints.demo.seed import DemoDataPresent, DemoSummary, demo_seed
from complaints.demo.world import DEMO_ESTATE_CODES, DEMO_PASSWORD, DEMO_USERNAMES

__all__ = [
    "DEMO_ESTATE_CODES",
    "DEMO_PASSWORD",
    "DEMO_USERNAMES",
    "DemoDataPresent",
    "DemoSummary",
    "demo_seed",
]
