from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import selectors, services
from complaints.api import idempotency
from complaints.api import serializers as s
from complaints.api.filters import COMPLAINT_FILTERS, complaint_filters
from complaints.api.pagination import PageWithoutCount
from complaints.errors import ActionForbidden
from complaints.forms.fields import FLAG_YES
from complaints.models import Complaint, Deadline, DeadlineState, Evidence
from complaints.services.acknowledgements import escalation_acknowledge
from complaints.services.evidence import EVIDENCE_CONTENT_TYPES
from complaints.services.submissions import submission_find
from complaints.workflow import ACTIONS, role_refusal
from staff.roles import FRONT_DESK_PLUS, SUPERVISOR_PLUS, user_roles


def _with_deadlines(queryset):
    """Each complaint with the deadlines its answer shows, as ``shown_deadlines``."""
    return queryset.prefetch_related(
        Prefetch(
            "deadlines",
            queryset=Deadline.objects.exclude(state=DeadlineState.CANCELLED).order_by(
                "due_at", "id"
            ),
            to_attr="shown_deadlines",
        )
    )


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in FLAG_YES


class ComplaintListCreate(generics.ListCreateAPIView):
    serializer_class = s.ComplaintSerializer
    pagination_class = PageWithoutCount
    refusals_by_method = {"POST": ("422",)}

    def get_queryset(self):
        filters = complaint_filters(self.request.query_params, user=self.request.user)
        # The small related rows (a handful of departments and staff, the few repeats) come
        # in one query each rather than as joins (docs/benchmarks.md, "Query shapes").
        return _with_deadlines(
            selectors.complaint_list(user=self.request.user, filters=filters)
            .select_related(None)
            .select_related("estate", "unit__building", "category")
            .prefetch_related(
                "department",
                "assignee",
                Prefetch("repeat_of", queryset=Complaint.objects.only("id", "reference")),
            )
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(parameters=COMPLAINT_FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.ComplaintCreateSerializer,
        responses={201: s.ComplaintSerializer},
        parameters=[idempotency.PARAMETER],
    )
    def post(self, request, *args, **kwargs):
        if not user_roles(request.user) & FRONT_DESK_PLUS:
            raise ActionForbidden(_("Your role may not log complaints."))
        once = idempotency.idempotency_once(request)
        if once is not None and (earlier := submission_find(user=request.user, once=once)):
            return idempotency.replayed(earlier)
        body = s.ComplaintCreateSerializer(data=request.data, user=request.user)
        body.is_valid(raise_exception=True)

        def answer(complaint: Complaint) -> dict:
            # The complaint as written, with its related rows and deadline: what a read of
            # it (GET on its URL) answers, without reading it back.
            return s.ComplaintSerializer(
                complaint, context={"request": request, "now": timezone.now()}
            ).data

        submitted = services.complaint_submit(
            actor=request.user,
            data=services.ComplaintInput(**body.validated_data),
            once=once,
            answer=answer,
        )
        if submitted.replayed:  # a request with the same key was first by a moment
            return idempotency.replayed(submitted)
        return Response(submitted.answer, status=status.HTTP_201_CREATED)


def _readable(user: User | AnonymousUser) -> QuerySet[Complaint]:
    return _with_deadlines(
        selectors.complaints_visible_to(user).select_related(
            "estate", "unit__building", "category", "department", "assignee", "repeat_of"
        )
    )


def complaint_read(request, reference: str) -> dict:
    complaint = _readable(request.user).get(reference=reference)
    return s.ComplaintSerializer(
        complaint, context={"request": request, "now": timezone.now()}
    ).data


class ComplaintDetail(generics.RetrieveAPIView):
    serializer_class = s.ComplaintSerializer
    lookup_field = "reference"

    def get_queryset(self):
        return _readable(self.request.user)


class ComplaintAction(APIView):
    """Take one workflow action; the answer is the complaint as it now reads."""

    refusals = ("409",)

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="ActionBody",
            serializers=list(s.ACTION_SERIALIZERS.values()),
            resource_type_field_name=None,
        ),
        responses={200: s.ComplaintSerializer},
        parameters=[
            OpenApiParameter(
                "action", str, OpenApiParameter.PATH, enum=sorted(s.ACTION_SERIALIZERS)
            )
        ],
        description="The body depends on the action: one of the `…ActionSerializer` schemas.",
    )
    def post(self, request, reference: str, action: str):
        serializer_class = s.ACTION_SERIALIZERS.get(action)
        if serializer_class is None:
            raise NotFound(_("No such action."))
        # Visibility first: what the user may not see is a 404 whatever the body says;
        # then the role, so a role that may never take the action hears so before any 400.
        selectors.complaint_get(user=request.user, reference=reference)
        if refused := role_refusal(ACTIONS[action], request.user):
            raise refused
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = data.pop("version", None)
        services.complaint_act(
            reference=reference, actor=request.user, action=action, data=data, version=version
        )
        return Response(complaint_read(request, reference))


class ComplaintEvents(generics.ListAPIView):
    serializer_class = s.EventSerializer
    pagination_class = None

    def get_queryset(self):
        complaint = selectors.complaint_get(
            user=self.request.user, reference=self.kwargs["reference"]
        )
        return selectors.complaint_events(complaint=complaint)


class EvidenceListCreate(generics.ListCreateAPIView):
    serializer_class = s.EvidenceSerializer
    pagination_class = None
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        complaint = selectors.complaint_get(
            user=self.request.user, reference=self.kwargs["reference"]
        )
        return complaint.evidence.select_related("complaint").order_by("uploaded_at", "id")

    @extend_schema(request=s.EvidenceUploadSerializer, responses={201: s.EvidenceSerializer})
    def post(self, request, reference: str):
        selectors.complaint_get(user=request.user, reference=reference)
        body = s.EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evidence = services.evidence_add(
            reference=reference, actor=request.user, upload=body.validated_data["file"]
        )
        return Response(s.EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceFile(APIView):
    """The file itself, after the same visibility check as the complaint."""

    @extend_schema(
        responses={(200, content_type): bytes for content_type in sorted(EVIDENCE_CONTENT_TYPES)}
    )
    def get(self, request, reference: str, pk: int):
        complaint = selectors.complaint_get(user=request.user, reference=reference)
        evidence = Evidence.objects.filter(complaint=complaint, pk=pk).first()
        if evidence is None:
            raise NotFound()
        return evidence_response(evidence)


def evidence_response(evidence: Evidence) -> FileResponse:
    """Images that passed the content check show inline; anything else is a download."""
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=not evidence.is_image,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


class SupervisorPlus(BasePermission):
    """The escalation queue is for supervisors and managers: anyone else lacks the role (403)."""

    message = _("The escalation queue is for supervisors and managers.")

    def has_permission(self, request, view) -> bool:
        return bool(user_roles(request.user) & SUPERVISOR_PLUS)


@extend_schema(parameters=[OpenApiParameter("open", bool)])
class EscalationList(generics.ListAPIView):
    """A plain list, bounded to 500: with ``open=true`` the queue, most overdue first, as the
    page shows it; without it every escalation, oldest raised first."""

    permission_classes = [IsAuthenticated, SupervisorPlus]
    serializer_class = s.EscalationSerializer
    pagination_class = None

    def get_queryset(self):
        user = self.request.user
        if _flag(self.request.query_params.get("open")):
            return selectors.escalations_waiting_for(user)[:500]
        # With the acknowledged ones, which the queue's index leaves out: created_at has one.
        return selectors.escalations_visible_to(user).order_by("created_at", "id")[:500]


class EscalationAcknowledge(APIView):
    permission_classes = [IsAuthenticated, SupervisorPlus]
    refusals = ("409",)

    @extend_schema(
        request=inline_serializer(
            "AcknowledgeBody",
            {
                "callback_due_at": serializers.DateTimeField(required=False),
                "assignee": serializers.CharField(required=False),
                "note": serializers.CharField(required=False),
            },
        ),
        responses=s.EscalationSerializer,
    )
    def post(self, request, pk: int):
        body = AcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        escalation = escalation_acknowledge(
            escalation_id=pk, actor=request.user, **body.validated_data
        )
        return Response(s.EscalationSerializer(escalation).data)


class AcknowledgeSerializer(s.StrictSerializer):
    callback_due_at = serializers.DateTimeField(required=False)
    assignee = serializers.CharField(required=False, allow_blank=True, max_length=150)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
