"""A building-wide incident's notice reaches a resident as itself, never folded into a
digest of complaint updates."""

import datetime as dt

import pytest
import time_machine

from complaints.services.incidents import IncidentInput, incident_open
from notifications.sending import notifications_send
from notifications.sms import local as locmem
from tests.complaints.helpers import local
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, category, log_complaint

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
NIGHT = local(2026, 3, 10, 22, 0)  # quiet hours: 21:00–08:00
MORNING = local(2026, 3, 11, 8, 0)


@pytest.fixture(autouse=True)
def _empty_locmem():
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


def test_a_notice_waiting_with_a_complaint_update_goes_as_its_own_message(
    estate, frontdesk, supervisor
):
    unit = UnitFactory(building=BuildingFactory(estate=estate, name="3号楼"))
    ResidentFactory(phone=PHONE, units=[unit])
    with time_machine.travel(NIGHT, tick=False):
        complaint = log_complaint(frontdesk, estate=estate, unit=unit, contact_phone=PHONE)
    with time_machine.travel(NIGHT + dt.timedelta(minutes=30), tick=False):
        incident_open(
            actor=supervisor,
            data=IncidentInput(
                estate=estate,
                category=category("FAC-UTIL"),
                title="3号楼停水",
                notice="供水管道抢修，预计中午恢复。",
                buildings=(unit.building,),
            ),
        )
        notifications_send(now=NIGHT + dt.timedelta(minutes=30))
    assert locmem.outbox == []  # quiet hours hold both

    with time_machine.travel(MORNING, tick=False):
        notifications_send(now=MORNING)

    assert sorted(m.kind for m in locmem.outbox) == ["incident_opened", "received"]
    notice = next(m for m in locmem.outbox if m.kind == "incident_opened")
    assert "供水管道抢修，预计中午恢复。" in notice.text
    assert complaint.reference not in notice.text
