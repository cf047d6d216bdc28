from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.api.fields import PersonNameField, WholeIdField
from complaints.display import deadline_state
from complaints.inputs import ID_MAX, Input, Kind
from complaints.models import (
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    DesiredOutcome,
    Escalation,
    Evidence,
    Incident,
    Mindset,
    SatisfactionSource,
    Severity,
)
from complaints.selectors import estate_ids_visible_to, estates_visible_to
from complaints.status_links import status_url
from complaints.workflow import ACTIONS, VERSION_MAX, Action, available_actions
from residents.models import Estate, Resident, Unit
from residents.phones import mask_phone
from staff.models import Department


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a server-owned field can never be slipped in."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = set(data.keys()) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field cannot be set here.")] for name in sorted(unknown)}
                )
        return super().to_internal_value(data)


class EstateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Estate
        fields = ["code", "name"]


class UnitSerializer(serializers.ModelSerializer):
    # A declared field, which the serializer's metaclass takes off the class; the stubs read
    # it as the ``label`` every field has.
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    estate = serializers.CharField(source="building.estate.code", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "label", "estate"]


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    # As ``label`` above: the stubs read it as the ``parent`` every field has.
    parent: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Category
        fields = ["code", "name", "parent"]


class ResidentSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = ["id", "name", "phone", "kind", "units"]

    def get_phone(self, resident) -> str:
        return mask_phone(resident.phone)

    @extend_schema_field(UnitSerializer(many=True))
    def get_units(self, resident):
        """Its units in the estates the reader covers (``with_visible_units``), no others."""
        return UnitSerializer(resident.visible_units, many=True).data


class DeadlineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    due_at = serializers.DateTimeField()
    met_at = serializers.DateTimeField(allow_null=True)
    state = serializers.SerializerMethodField()
    starts_at = serializers.DateTimeField()
    explanation = serializers.JSONField(
        help_text="How the due time was computed: the clock (calendar or business), the "
        "estate's calendar and zone, the policy, when the clock started (at the next opening "
        "for business time), the minutes or working days, and any pauses."
    )

    def get_state(self, deadline) -> str:
        return deadline_state(deadline, self.context.get("now"))


# Who recorded a complaint's satisfaction: staff after a call, or the resident on the rating page.
SOURCES = [value for value, _label in SatisfactionSource.choices]


class ComplaintSerializer(serializers.ModelSerializer):
    estate = serializers.CharField(source="estate.code")
    unit_label = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()
    category = serializers.CharField(source="category.code")
    department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    assignee: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    assignee_name = PersonNameField(source="assignee")
    repeat_of: serializers.SlugRelatedField[Complaint] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True
    )
    # All but the cancelled, in due order: read so by the API's views, written so by intake.
    deadlines = DeadlineSerializer(source="shown_deadlines", many=True, read_only=True)
    actions = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()
    # Null until recorded, as the other fields that may not be set yet.
    satisfaction = serializers.SerializerMethodField()
    satisfaction_source = serializers.SerializerMethodField()
    mindset = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "reference",
            "estate",
            "unit",
            "unit_label",
            "resident",
            "contact_name",
            "contact_phone",
            "channel",
            "category",
            "severity",
            "summary",
            "account",
            "desired_outcome",
            "mindset",
            "stage",
            "validity",
            "escalation_level",
            "department",
            "assignee",
            "assignee_name",
            "repeat_of",
            "incident",
            "in_warranty",
            "on_hold",
            "received_at",
            "closed_at",
            "satisfaction",
            "satisfaction_source",
            "status_url",
            "version",
            "deadlines",
            "actions",
        ]
        read_only_fields = fields

    def get_unit_label(self, complaint) -> str | None:
        return complaint.unit.label if complaint.unit_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_satisfaction(self, complaint) -> str | None:
        return complaint.satisfaction or None

    @extend_schema_field(serializers.ChoiceField(choices=SOURCES, allow_null=True))
    def get_satisfaction_source(self, complaint) -> str | None:
        return complaint.satisfaction_source or None

    def get_mindset(self, complaint) -> str | None:
        return complaint.mindset or None  # null until judged, as satisfaction

    def get_status_url(self, complaint) -> str:
        """The resident's own link, to read out or send them; the API is for staff only."""
        return status_url(complaint)

    def get_contact_phone(self, complaint) -> str:
        return mask_phone(complaint.contact_phone)

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=list(ACTIONS)))
    )
    def get_actions(self, complaint) -> list[str]:
        return available_actions(complaint, self.context["request"].user)


def _unit_found(field: serializers.Field) -> Unit | None:
    """The unit ``ComplaintCreateSerializer``, the only parent of the unit and estate fields,
    read ahead for them."""
    parent = field.parent
    assert isinstance(parent, ComplaintCreateSerializer)
    return parent.unit_found


def _related(serializer: serializers.Serializer, name: str) -> serializers.RelatedField:
    """A declared relation of ``serializer``, whose ``fields`` know only that it is a field."""
    return cast(serializers.RelatedField, serializer.fields[name])


def _choose_from(serializer: serializers.Serializer, name: str, queryset: QuerySet) -> None:
    """Let the declared relation ``name`` of ``serializer`` choose only from ``queryset``."""
    # The stubs let ``queryset`` be a Manager too, and so check this as a descriptor's access.
    _related(serializer, name).queryset = queryset  # type: ignore[arg-type]


class _EstateField(serializers.SlugRelatedField):
    """An estate by code; the chosen unit's own estate when the codes match (no query)."""

    def to_internal_value(self, data):
        unit = _unit_found(self)
        if unit is not None and unit.building.estate.code == data:
            return unit.building.estate
        return super().to_internal_value(data)


class _UnitField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        unit = _unit_found(self)
        if unit is not None and str(data) == str(unit.pk):
            return unit
        return super().to_internal_value(data)


class ComplaintCreateSerializer(StrictSerializer):
    estate = _EstateField(slug_field="code", queryset=Estate.objects.none())
    unit = _UnitField(queryset=Unit.objects.none(), required=False, allow_null=True)
    resident = WholeIdField(queryset=Resident.objects.none(), required=False, allow_null=True)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(active=True).select_related("parent")
    )
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    summary = serializers.CharField(max_length=200)
    account = serializers.CharField(max_length=20000)
    desired_outcome = serializers.ChoiceField(choices=DesiredOutcome.choices, required=False)
    mindset = serializers.ChoiceField(
        choices=Mindset.choices, required=False, allow_blank=True, allow_null=True
    )
    received_at = serializers.DateTimeField(required=False, allow_null=True)
    incident = WholeIdField(queryset=Incident.objects.none(), required=False, allow_null=True)

    def __init__(self, *args, user: User | AnonymousUser | None = None, **kwargs):
        """``user``: whose estates the estate, unit and resident must belong to."""
        super().__init__(*args, **kwargs)
        self.unit_found: Unit | None = None
        if user is not None:
            _choose_from(self, "estate", estates_visible_to(user))
            # The estate ids themselves, not a subquery: simpler for PostgreSQL to plan.
            estate_ids = estate_ids_visible_to(user)
            units = Unit.objects.all()
            residents = Resident.objects.filter(residencies__isnull=False)
            incidents = Incident.objects.all()
            if estate_ids is not None:
                incidents = incidents.filter(estate_id__in=sorted(estate_ids))
                units = units.filter(building__estate_id__in=sorted(estate_ids))
                residents = Resident.objects.filter(
                    residencies__unit__building__estate_id__in=sorted(estate_ids)
                )
            _choose_from(self, "unit", units.select_related("building__estate"))
            _choose_from(self, "resident", residents.distinct())
            _choose_from(self, "incident", incidents)

    def to_internal_value(self, data):
        # The unit (of a covered estate) with its building and estate in one query, first:
        # the estate field then finds its estate there instead of asking again.
        unit_id = data.get("unit") if hasattr(data, "get") else None
        if type(unit_id) is str and unit_id.isascii() and unit_id.isdigit():
            unit_id = int(unit_id)
        if type(unit_id) is int:
            units = _related(self, "unit").get_queryset()
            assert units is not None  # declared with a queryset
            self.unit_found = units.filter(pk=unit_id).first()
        return super().to_internal_value(data)


def _action_field(spec: Input) -> serializers.Field:
    """The API's field for one declared input of an action."""
    optional: dict[str, Any] = {} if spec.required else {"required": False, "allow_null": True}
    if spec.kind is Kind.CHOICE:
        whole = set(spec.choices) == set(type(spec.choices[0]))
        # A whole set of choices is documented with its labels, a part of one by its values
        # alone: the schema the API has always published.
        choices = type(spec.choices[0]).choices if whole else spec.values
        return serializers.ChoiceField(choices=choices, **optional)
    if spec.kind is Kind.DATETIME:
        return serializers.DateTimeField(**optional)
    if spec.kind is Kind.BOOL:
        return serializers.BooleanField(**optional)
    if spec.kind is Kind.INCIDENT:
        return serializers.IntegerField(min_value=1, max_value=ID_MAX, **optional)
    if not spec.required:
        optional["allow_blank"] = True
    return serializers.CharField(max_length=spec.max_length, **optional)


def action_serializer_class(action: Action) -> type[StrictSerializer]:
    """The body of ``action``: its declared inputs, and the version the client read."""
    fields = {spec.name: _action_field(spec) for spec in action.inputs}
    fields["version"] = serializers.IntegerField(required=False, min_value=1, max_value=VERSION_MAX)
    class_name = "".join(part.title() for part in action.name.split("_")) + "ActionSerializer"
    return type(class_name, (StrictSerializer,), fields)


ACTION_SERIALIZERS: dict[str, type[StrictSerializer]] = {
    name: action_serializer_class(action) for name, action in ACTIONS.items()
}


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    actor_name = PersonNameField(source="actor")

    class Meta:
        model = ComplaintEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "kind",
            "from_stage",
            "to_stage",
            "note",
            "data",
        ]

    def get_actor(self, event) -> str:
        return event.actor.username if event.actor_id else "system"


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "url", "content_type", "size", "is_image", "uploaded_at"]

    def get_url(self, evidence) -> str:
        return reverse(
            "api:evidence-file",
            kwargs={"reference": evidence.complaint.reference, "pk": evidence.pk},
        )


class EvidenceUploadSerializer(StrictSerializer):
    # An empty file too: the evidence check refuses it by name.
    file = serializers.FileField(allow_empty_file=True)


class EscalationSerializer(serializers.ModelSerializer):
    complaint = serializers.CharField(source="complaint.reference")
    deadline_kind = serializers.SerializerMethodField()
    acknowledged_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    acknowledged_by_name = PersonNameField(source="acknowledged_by")

    class Meta:
        model = Escalation
        fields = [
            "id",
            "complaint",
            "level",
            "reason",
            "deadline_kind",
            "note",
            "created_at",
            "overdue_since",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledged_by_name",
        ]

    def get_deadline_kind(self, escalation) -> str | None:
        return escalation.deadline.kind if escalation.deadline_id else None
