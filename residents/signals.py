"""What the estates' records tell the rest of the desk, without knowing who listens."""

from django.dispatch import Signal

# Sent after an estate's business calendar (opening windows, holidays, make-up days) was
# edited, with ``estate`` and ``actor``. A receiver returns how many open
# deadlines it moved, so the editor can be told.
calendar_changed = Signal()
