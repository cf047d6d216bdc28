"""Building-wide incidents in the API (SPEC §9.3): listed and read by everyone who covers the
estate, opened and acted on by supervisors through ``complaints.services.incidents``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api import idempotency
from complaints.api.fields import WholeIdField
from complaints.api.pagination import PageWithoutCount
from complaints.api.serializers import StrictSerializer
from complaints.errors import ActionForbidden
from complaints.models import (
    Category,
    Incident,
    IncidentDeadline,
    IncidentEscalation,
    IncidentStage,
    Liability,
    SubmissionDoor,
)
from complaints.selectors import estates_visible_to
from complaints.selectors_incidents import OPEN_FIRST
from complaints.selectors_incidents import incidents_visible_to as incidents_visible_to
from complaints.services.incidents import TEXT_MAX, IncidentInput, incident_act
from complaints.services.submissions import incident_submission_find, incident_submit
from complaints.workflow import VERSION_MAX
from residents.models import Building, Estate
from staff.roles import SUPERVISOR_PLUS, user_roles


class IncidentDeadlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncidentDeadline
        fields = ["kind", "due_at", "state", "met_at"]
        read_only_fields = fields


class IncidentEscalationSerializer(serializers.ModelSerializer):
    deadline = serializers.CharField(source="deadline.kind")

    class Meta:
        model = IncidentEscalation
        fields = ["id", "level", "deadline", "overdue_since", "created_at", "acknowledged_at"]
        read_only_fields = fields


class IncidentSerializer(serializers.ModelSerializer):
    estate = serializers.CharField(source="estate.code")
    category = serializers.CharField(source="category.code")
    buildings = serializers.SerializerMethodField()
    liability = serializers.SerializerMethodField()
    complaints = serializers.SerializerMethodField()
    deadlines = IncidentDeadlineSerializer(many=True, read_only=True)
    escalations = IncidentEscalationSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "estate",
            "buildings",
            "category",
            "title",
            "notice",
            "expected_end",
            "stage",
            "outcome",
            "cause",
            "liability",
            "opened_at",
            "resolved_at",
            "closed_at",
            "version",
            "complaints",
            "deadlines",
            "escalations",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_buildings(self, incident) -> list[int]:
        return sorted(building.pk for building in incident.buildings.all())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_liability(self, incident) -> str | None:
        return incident.liability or None

    def get_complaints(self, incident) -> int:
        """How many complaints are linked to it."""
        return incident.complaint_count


class IncidentCreateSerializer(StrictSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", queryset=Estate.objects.none())
    buildings = WholeIdField(many=True, queryset=Building.objects.all(), required=False)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(active=True)
    )
    title = serializers.CharField(max_length=200)
    notice = serializers.CharField(max_length=TEXT_MAX)
    expected_end = serializers.DateTimeField(required=False, allow_null=True)


def _version():
    return serializers.IntegerField(required=False, min_value=1, max_value=VERSION_MAX)


class UpdateIncidentSerializer(StrictSerializer):
    notice = serializers.CharField(required=False, max_length=TEXT_MAX)
    expected_end = serializers.DateTimeField(required=False, allow_null=True)
    version = _version()


class ResolveIncidentSerializer(StrictSerializer):
    outcome = serializers.CharField(max_length=TEXT_MAX)
    cause = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    liability = serializers.ChoiceField(choices=Liability.choices)
    version = _version()


class CloseIncidentSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    version = _version()


class AcknowledgeIncidentSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    version = _version()


INCIDENT_ACTION_SERIALIZERS: dict[str, type[StrictSerializer]] = {
    "update": UpdateIncidentSerializer,
    "resolve": ResolveIncidentSerializer,
    "close": CloseIncidentSerializer,
    "acknowledge": AcknowledgeIncidentSerializer,
}


def _may_write(user) -> None:
    if not user_roles(user) & SUPERVISOR_PLUS:
        raise ActionForbidden(_("Only a supervisor may open or change a building-wide incident."))


def _read(request, pk: int) -> dict:
    incident = incidents_visible_to(request.user).filter(pk=pk).first()
    if incident is None:
        raise NotFound()
    return IncidentSerializer(incident, context={"request": request}).data


class IncidentListCreate(generics.ListCreateAPIView):
    serializer_class = IncidentSerializer
    pagination_class = PageWithoutCount
    refusals_by_method = {"POST": ("422",)}

    def get_queryset(self):
        incidents = incidents_visible_to(self.request.user)
        estate = self.request.query_params.get("estate")
        if estate:
            incidents = incidents.filter(estate__code=estate)
        if self.request.query_params.get("open", "").lower() in ("1", "true", "yes"):
            incidents = incidents.filter(stage=IncidentStage.OPEN)
        # As the incidents page lists them: the open ones first, the front desk's concern.
        return incidents.annotate(open_first=OPEN_FIRST).order_by("open_first", "-opened_at", "-id")

    @extend_schema(
        parameters=[
            OpenApiParameter("estate", str, description="An estate's code."),
            OpenApiParameter("open", bool, description="Only the open incidents."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=IncidentCreateSerializer,
        responses={201: IncidentSerializer},
        parameters=[idempotency.INCIDENT_PARAMETER],
    )
    def post(self, request, *args, **kwargs):
        _may_write(request.user)
        once = idempotency.idempotency_once(request, door=SubmissionDoor.INCIDENT_API)
        if once is not None and (earlier := incident_submission_find(user=request.user, once=once)):
            return idempotency.replayed(earlier)
        body = IncidentCreateSerializer(data=request.data)
        body.fields["estate"].queryset = estates_visible_to(request.user)  # type: ignore[attr-defined]
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        submitted = incident_submit(
            actor=request.user,
            data=IncidentInput(
                estate=data["estate"],
                category=data["category"],
                title=data["title"],
                notice=data["notice"],
                expected_end=data.get("expected_end"),
                buildings=tuple(data.get("buildings", ())),
            ),
            once=once,
            # The incident as opened, as a read of it answers: the answer to give again.
            answer=lambda incident: _read(request, incident.pk),
        )
        if submitted.replayed:  # a request with the same key was first by a moment
            return idempotency.replayed(submitted)
        return Response(submitted.answer, status=status.HTTP_201_CREATED)


class IncidentDetail(generics.RetrieveAPIView):
    serializer_class = IncidentSerializer

    def get_queryset(self):
        return incidents_visible_to(self.request.user)


class IncidentAction(APIView):
    """Update, resolve, close or acknowledge (its waiting escalations) an incident; the
    answer is the incident as it now reads."""

    refusals = ("409",)

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="IncidentActionBody",
            serializers=list(INCIDENT_ACTION_SERIALIZERS.values()),
            resource_type_field_name=None,
        ),
        responses={200: IncidentSerializer},
        parameters=[
            OpenApiParameter(
                "action", str, OpenApiParameter.PATH, enum=sorted(INCIDENT_ACTION_SERIALIZERS)
            )
        ],
    )
    def post(self, request, pk: int, action: str):
        serializer_class = INCIDENT_ACTION_SERIALIZERS.get(action)
        if serializer_class is None:
            raise NotFound()
        if not incidents_visible_to(request.user).filter(pk=pk).exists():
            raise NotFound()
        _may_write(request.user)
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = data.pop("version", None)
        incident_act(incident_id=pk, actor=request.user, action=action, data=data, version=version)
        return Response(_read(request, pk))
