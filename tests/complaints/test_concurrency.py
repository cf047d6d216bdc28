"""Parallel intake and parallel actions, on PostgreSQL where row locks are real."""

import threading
from collections import Counter

import pytest
from django.db import connection
from rest_framework.test import APIClient

from complaints.models import Complaint, ComplaintEvent, ReferenceCounter
from tests.factories import log_complaint

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_in_threads(count: int, work) -> list:
    """Start ``count`` threads at the same instant; each gets its own database connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - reported through the results
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_eight_parallel_intakes_get_eight_distinct_references(frontdesk, estate):
    def intake(index: int) -> int:
        client = APIClient()
        client.force_authenticate(frontdesk)
        response = client.post(
            "/api/v1/complaints/",
            {
                "estate": "HY",
                "channel": "phone",
                "category": "FAC-LIFT",
                "summary": f"电梯停运 {index}",
                "account": "电梯停在12楼。",
                "contact_name": f"住户{index}",
                "contact_phone": f"1380000{index:04d}",
            },
            format="json",
        )
        return response.status_code, response.json().get("reference")

    results = _run_in_threads(8, intake)

    assert [status for status, _ in results] == [201] * 8
    references = sorted(reference for _, reference in results)
    assert len(set(references)) == 8
    day = references[0].split("-")[2]
    assert references == [f"TS-HY-{day}-{n:04d}" for n in range(1, 9)]
    assert Complaint.objects.count() == 8
    assert ReferenceCounter.objects.get(estate=estate).last == 8


def test_six_parallel_accepts_give_one_success_and_five_conflicts(frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate)

    def accept(index: int):
        client = APIClient()
        client.force_authenticate(frontdesk)
        response = client.post(
            f"/api/v1/complaints/{complaint.reference}/actions/accept/",
            {"version": 1},
            format="json",
        )
        return response.status_code, response.json()

    results = _run_in_threads(6, accept)

    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 1, 409: 5}
    conflicts = [body["detail"] for status, body in results if status == 409]
    assert all("changed this complaint meanwhile" in detail for detail in conflicts)
    complaint.refresh_from_db()
    assert complaint.stage == "clarification"
    assert complaint.version == 2
    assert ComplaintEvent.objects.filter(complaint=complaint, kind="accept").count() == 1


def test_parallel_actions_without_version_still_serialise(frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate)

    def accept(index: int):
        client = APIClient()
        client.force_authenticate(frontdesk)
        response = client.post(
            f"/api/v1/complaints/{complaint.reference}/actions/accept/", {}, format="json"
        )
        return response.status_code

    results = _run_in_threads(6, accept)

    assert Counter(results) == {200: 1, 409: 5}
    assert ComplaintEvent.objects.filter(complaint=complaint, kind="accept").count() == 1
