from django.urls import path

from complaints.api import incidents, lookups, tokens, views

app_name = "api"

urlpatterns = [
    path("auth/token/", tokens.TokenView.as_view(), name="token"),
    path("auth/tokens/", tokens.ApiTokenList.as_view(), name="tokens"),
    path("auth/tokens/<str:prefix>/", tokens.ApiTokenRevoke.as_view(), name="token-revoke"),
    path("estates/", lookups.EstateList.as_view(), name="estates"),
    path("units/", lookups.UnitList.as_view(), name="units"),
    path("categories/", lookups.CategoryList.as_view(), name="categories"),
    path("residents/", lookups.ResidentList.as_view(), name="residents"),
    path("complaints/", views.ComplaintListCreate.as_view(), name="complaints"),
    path("complaints/<str:reference>/", views.ComplaintDetail.as_view(), name="complaint"),
    path(
        "complaints/<str:reference>/actions/<str:action>/",
        views.ComplaintAction.as_view(),
        name="complaint-action",
    ),
    path("complaints/<str:reference>/events/", views.ComplaintEvents.as_view(), name="events"),
    path(
        "complaints/<str:reference>/evidence/",
        views.EvidenceListCreate.as_view(),
        name="evidence",
    ),
    path(
        "complaints/<str:reference>/evidence/<int:pk>/",
        views.EvidenceFile.as_view(),
        name="evidence-file",
    ),
    path("incidents/", incidents.IncidentListCreate.as_view(), name="incidents"),
    path("incidents/<int:pk>/", incidents.IncidentDetail.as_view(), name="incident"),
    path(
        "incidents/<int:pk>/actions/<str:action>/",
        incidents.IncidentAction.as_view(),
        name="incident-action",
    ),
    path("escalations/", views.EscalationList.as_view(), name="escalations"),
    path(
        "escalations/<int:pk>/acknowledge/",
        views.EscalationAcknowledge.as_view(),
        name="escalation-acknowledge",
    ),
]
