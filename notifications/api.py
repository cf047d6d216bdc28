"""The in-app side of notifications: what a staff member was sent, and the unread badge."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.models import Complaint
from notifications.models import Notification
from notifications.selectors import notifications_of
from notifications.sending import notifications_mark_read


class NotificationSerializer(serializers.ModelSerializer):
    complaint: serializers.SlugRelatedField[Complaint] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "complaint", "subject", "body", "created_at", "sent_at", "read_at"]


@extend_schema(parameters=[OpenApiParameter("unread", bool)])
class NotificationList(generics.ListAPIView):
    """The newest 100 messages to the signed-in user."""

    serializer_class = NotificationSerializer
    pagination_class = None

    def get_queryset(self):
        user = self.request.user
        assert user.is_authenticated  # the API's default permission, IsAuthenticated
        queryset = notifications_of(user)
        if self.request.query_params.get("unread", "").lower() in {"1", "true", "yes"}:
            queryset = queryset.filter(read_at__isnull=True)
        return queryset[:100]


class ReadBody(serializers.Serializer):
    # Ids are 64-bit: a larger number is bad input, not a question for the database.
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False
    )


class NotificationsRead(APIView):
    """Mark the given messages (or all) read; answers the unread count that remains."""

    @extend_schema(
        request=ReadBody,
        responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()}),
    )
    def post(self, request):
        body = ReadBody(data=request.data)
        body.is_valid(raise_exception=True)
        notifications_mark_read(user=request.user, ids=body.validated_data.get("ids"))
        unread = notifications_of(request.user).filter(read_at__isnull=True).count()
        return Response({"unread": unread})
