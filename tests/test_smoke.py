import pytest

from tests.factories import log_complaint


@pytest.mark.django_db
def test_a_logged_complaint_reads_back_through_the_api(api, frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate)

    body = api.as_user(frontdesk).get(f"/api/v1/complaints/{complaint.reference}/").json()

    assert body["reference"] == complaint.reference
    assert body["stage"] == "intake"
    assert body["actions"] == ["accept", "escalate", "log_callback", "add_note"]
