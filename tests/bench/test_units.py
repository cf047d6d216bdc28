import pytest

from bench.units import NAMED, units_top_up
from demo.world import DEMO_ESTATE_CODES
from residents.models import Building, Residency, Resident, Unit
from tests.factories import BuildingFactory, EstateFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_towers_are_added_to_the_demo_estates_until_the_register_holds_the_total():
    estates = {code: EstateFactory(code=code) for code in DEMO_ESTATE_CODES}
    UnitFactory(building=BuildingFactory(estate=estates["HY"], name="1号楼"))

    assert units_top_up(601) == 600

    assert Unit.objects.count() == 601
    # By each estate's share of the complaints: 45 %, 35 %, 20 %.
    added = {code: Unit.objects.filter(building__estate__code=code).count() for code in estates}
    assert added == {"HY": 1 + 270, "JD": 210, "CH": 120}
    # Towers of 256 units, numbered on from the estate's buildings.
    hy = Building.objects.filter(estate=estates["HY"]).order_by("id")
    assert [b.name for b in hy] == ["1号楼", "2号楼", "3号楼"]
    assert Unit.objects.filter(building=hy[1]).count() == 256
    assert Unit.objects.filter(building=hy[1], entrance="2", room="3204").exists()
    # Each new unit has one owner, with initials and a phone.
    assert Residency.objects.count() == 600
    assert Resident.objects.filter(initials="", phone="").count() == 0
    assert Resident.objects.filter(name=NAMED).values_list("initials", flat=True)[0] == "cxm"


def test_a_register_already_that_large_gets_nothing():
    estates = {code: EstateFactory(code=code) for code in DEMO_ESTATE_CODES}
    units_top_up(300)

    assert units_top_up(300) == 0
    assert units_top_up(10) == 0
    assert Unit.objects.count() == 300
    assert Building.objects.filter(estate__in=estates.values()).count() == 3
