"""API tokens over the API: ``auth/token/`` issues one for a username and password;
``auth/tokens/`` lists the signed-in user's own, and ``auth/tokens/<prefix>/`` revokes one.
What a token is and how long it lives is ``staff.tokens``."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api.serializers import StrictSerializer
from complaints.workflow import USERNAME_MAX
from staff.lockout import lockout_response
from staff.tokens import api_token_issue, api_token_revoke, api_tokens_of


class TokenRequestSerializer(StrictSerializer):
    # No longer than a username can be: the sign-in throttle records what was tried.
    username = serializers.CharField(max_length=USERNAME_MAX)
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once: the desk keeps only its digest.")
    expiry = serializers.DateTimeField(help_text="After this instant the token no longer works.")


class ApiTokenSerializer(serializers.Serializer):
    """One of the user's tokens as its owner sees it: never the token or its digest."""

    prefix = serializers.CharField(source="token_key")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    refusals = ("429",)

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer)
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=body.validated_data["username"],
            password=body.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            return lockout_response(request._request)
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Wrong username or password."))
        # A token is a sign-in: it resets the failure count and records the last login.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        stored, token = api_token_issue(user=user)
        return Response(TokenSerializer({"token": token, "expiry": stored.expiry}).data)


class ApiTokenList(generics.ListAPIView):
    """The signed-in user's tokens that still work, newest first, by prefix."""

    serializer_class = ApiTokenSerializer
    pagination_class = None

    def get_queryset(self):
        user = self.request.user
        assert user.is_authenticated  # the API's default permission, IsAuthenticated
        return api_tokens_of(user)


class ApiTokenRevoke(APIView):
    """Revoke one of the signed-in user's tokens; anyone else's is not found."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, prefix: str):
        user = request.user
        assert user.is_authenticated  # the API's default permission, IsAuthenticated
        if not api_token_revoke(user=user, prefix=prefix):
            raise NotFound
        return Response(status=status.HTTP_204_NO_CONTENT)
