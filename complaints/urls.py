"""The desk's pages (SPEC §7 Pages); the JSON API lives in complaints/api/urls.py."""

from django.urls import path

from complaints.views import (
    actions,
    detail,
    escalations,
    export,
    incidents,
    intake,
    intake_history,
    phone,
    receipt,
    residents,
    tokens,
    worklist,
)

app_name = "complaints"

urlpatterns = [
    path("complaints/", worklist.worklist, name="worklist"),
    path("complaints/export.csv", export.export_csv, name="export-csv"),
    path("complaints/export.xlsx", export.export_xlsx, name="export-xlsx"),
    path("complaints/new/", intake.intake, name="new"),
    path("complaints/new/location/", intake.intake_location, name="new-location"),
    path("complaints/new/lookup/", intake.intake_lookup, name="new-lookup"),
    path("complaints/new/repeat/", intake.intake_repeat, name="new-repeat"),
    path("complaints/new/incidents/", intake.intake_incidents, name="new-incidents"),
    path("complaints/new/backdated/", intake.intake_backdated, name="new-backdated"),
    path("complaints/new/history/", intake_history.intake_history, name="new-history"),
    path("complaints/<str:reference>/", detail.detail, name="detail"),
    path("complaints/<str:reference>/receipt/", receipt.receipt, name="receipt"),
    path(
        "complaints/<str:reference>/actions/<str:action>/",
        actions.act,
        name="action",
    ),
    path(
        "complaints/<str:reference>/evidence/",
        detail.evidence_upload,
        name="evidence-upload",
    ),
    path(
        "complaints/<str:reference>/evidence/<int:pk>/",
        detail.evidence_file,
        name="evidence",
    ),
    path("incidents/", incidents.incidents, name="incidents"),
    path("incidents/new/", incidents.incident_new, name="incident-new"),
    path("incidents/<int:pk>/", incidents.incident, name="incident"),
    path(
        "incidents/<int:pk>/actions/<str:action>/",
        incidents.incident_action,
        name="incident-action",
    ),
    path("escalations/", escalations.queue, name="escalations"),
    path(
        "escalations/incidents/<int:pk>/acknowledge/",
        escalations.incident_acknowledge,
        name="incident-escalation-acknowledge",
    ),
    path(
        "escalations/<int:pk>/acknowledge/",
        escalations.acknowledge,
        name="escalation-acknowledge",
    ),
]

# /residents/: the residents as the desk finds them, with their complaints (``config.urls``
# mounts these in the "residents" namespace).
residents_urlpatterns = [
    path("", residents.resident_list, name="list"),
    path("<int:pk>/", residents.resident_detail, name="detail"),
]

# /my/: a handler's phone (``config.urls`` mounts these in the "phone" namespace).
phone_urlpatterns = [
    path("", phone.my_list, name="list"),
    path("<str:reference>/", phone.my_detail, name="detail"),
    path("<str:reference>/actions/<str:action>/", phone.my_act, name="action"),
]

# /accounts/tokens/: the signed-in user's own API tokens (``config.urls`` mounts these in the
# "accounts" namespace).
account_urlpatterns = [
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<str:prefix>/revoke/", tokens.token_revoke, name="token-revoke"),
]
