"""Opening windows of one day may not overlap: the model refuses it, and so does the estate's
page in the admin, naming both windows in the reader's language and saving nothing."""

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError

from residents.models import OpeningWindow

pytestmark = pytest.mark.django_db

T = dt.time
REFUSAL_EN = (
    "Opening windows on Monday overlap: 08:00–12:00 and 11:00–14:00. Join them into one "
    "window, or let one close before the other opens."
)
REFUSAL_ZH = (
    "星期一的营业时段重叠：08:00–12:00 与 11:00–14:00。"
    "请合并为一个时段，或让其中一个在另一个开始前结束。"
)


def test_a_window_overlapping_a_saved_one_of_its_day_is_refused(estate):
    OpeningWindow.objects.create(estate=estate, weekday=0, opens=T(8), closes=T(12))

    with pytest.raises(ValidationError) as refused:
        OpeningWindow(estate=estate, weekday=0, opens=T(11), closes=T(14)).full_clean()

    assert refused.value.messages == [REFUSAL_EN]


def test_touching_windows_other_days_and_the_window_itself_are_no_overlap(estate):
    morning = OpeningWindow.objects.create(estate=estate, weekday=0, opens=T(8), closes=T(12))

    OpeningWindow(estate=estate, weekday=0, opens=T(12), closes=T(14)).full_clean()
    OpeningWindow(estate=estate, weekday=1, opens=T(11), closes=T(14)).full_clean()
    morning.closes = T(12, 30)
    morning.full_clean()


def _estate_form(estate, windows, *, saved=()):
    """The estate's admin page as posted: its fields and the opening-window rows."""
    data = {
        "code": estate.code,
        "name": estate.name,
        "address": "",
        "time_zone": estate.time_zone,
        "quiet_from": "21:00",
        "quiet_until": "08:00",
        "opening_windows-TOTAL_FORMS": len(saved) + len(windows),
        "opening_windows-INITIAL_FORMS": len(saved),
        "opening_windows-MIN_NUM_FORMS": 0,
        "opening_windows-MAX_NUM_FORMS": 1000,
        "calendar_days-TOTAL_FORMS": 0,
        "calendar_days-INITIAL_FORMS": 0,
        "calendar_days-MIN_NUM_FORMS": 0,
        "calendar_days-MAX_NUM_FORMS": 1000,
    }
    rows = [*saved, *windows]
    for index, (window_id, weekday, opens, closes, delete) in enumerate(rows):
        prefix = f"opening_windows-{index}-"
        data |= {
            f"{prefix}id": window_id or "",
            f"{prefix}estate": estate.pk,
            f"{prefix}weekday": weekday,
            f"{prefix}opens": opens,
            f"{prefix}closes": closes,
        }
        if delete:
            data[f"{prefix}DELETE"] = "on"
    return data


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-for-tests"))
    return client


@pytest.mark.parametrize(("language", "refusal"), [("en", REFUSAL_EN), ("zh-hans", REFUSAL_ZH)])
def test_the_admin_refuses_overlapping_windows_in_the_readers_language(
    admin_client, estate, language, refusal
):
    new_rows = [(None, 0, "08:00", "12:00", False), (None, 0, "11:00", "14:00", False)]

    response = admin_client.post(
        f"/admin/residents/estate/{estate.pk}/change/",
        _estate_form(estate, new_rows),
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 200
    assert refusal in html.unescape(response.content.decode())
    assert not OpeningWindow.objects.exists()


def test_the_admin_moves_hours_between_windows_in_one_save(admin_client, estate):
    morning = OpeningWindow.objects.create(estate=estate, weekday=0, opens=T(8, 30), closes=T(12))
    afternoon = OpeningWindow.objects.create(
        estate=estate, weekday=0, opens=T(13, 30), closes=T(18)
    )
    # The lunch break goes: the morning runs to six, the afternoon window is deleted.
    saved = [
        (morning.pk, 0, "08:30", "18:00", False),
        (afternoon.pk, 0, "13:30", "18:00", True),
    ]

    response = admin_client.post(
        f"/admin/residents/estate/{estate.pk}/change/", _estate_form(estate, [], saved=saved)
    )

    assert response.status_code == 302, html.unescape(response.content.decode())[:3000]
    assert list(OpeningWindow.objects.values_list("opens", "closes")) == [(T(8, 30), T(18))]


def test_a_window_that_closes_before_it_opens_is_refused_in_words(admin_client, estate):
    with pytest.raises(ValidationError) as refused:
        OpeningWindow(estate=estate, weekday=0, opens=T(22), closes=T(21)).full_clean()
    response = admin_client.post(
        f"/admin/residents/estate/{estate.pk}/change/",
        _estate_form(estate, [(None, 0, "22:00", "21:00", False)]),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    reversed_refusal = (
        "A window closes after it opens. For hours past midnight, enter two windows: one until "
        "23:59 and one from 00:00 the next day."
    )
    assert refused.value.message_dict == {"closes": [reversed_refusal]}
    page = html.unescape(response.content.decode())
    assert reversed_refusal in page and "is violated" not in page
    assert not OpeningWindow.objects.exists()
