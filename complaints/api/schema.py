"""The API's refusals in its OpenAPI schema: each operation documents the errors it can answer.

The shapes are those of ``complaints.api.errors``: 400 ``{"field": ["message"], …}``, every
other refusal ``{"detail": "message"}``. Which codes an operation answers follows from what it
is: 400 and 401 everywhere, 403 wherever a role or a CSRF check can refuse, 404 wherever the
path names something, and what a view declares in ``refusals`` (409 for actions, 429 for the
token) or for one method in ``refusals_by_method`` (422 for a reused Idempotency-Key).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
MESSAGES = {"type": "array", "items": {"type": "string"}}
FIELD_ERRORS = {
    "type": "object",
    "description": "Each refused field with its messages; a list field names the position of "
    "each refused item.",
    "additionalProperties": {
        "oneOf": [MESSAGES, {"type": "object", "additionalProperties": MESSAGES}],
    },
}
DESCRIPTIONS = {
    "400": "Bad input: each refused field with its messages.",
    "401": "No credentials, or wrong ones.",
    "403": "The user's role may not do this (or a session request without its CSRF token).",
    "404": "Nothing the user may see answers to this path.",
    "409": "Not possible in the complaint's present state, or it changed meanwhile.",
    "422": "The Idempotency-Key was used before with another body.",
    "429": "Too many failed sign-ins: wait and try again.",
}


class DeskAutoSchema(AutoSchema):
    def _refusal_codes(self) -> set[str]:
        # Any request can be bad input (a body, a filter, a NUL character in the query).
        codes = {"400", "401"} | set(getattr(self.view, "refusals", ()))
        codes |= set(getattr(self.view, "refusals_by_method", {}).get(self.method, ()))
        if self.view.authentication_classes:
            codes.add("403")
        if "{" in self.path:
            codes.add("404")
        return codes

    def _component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in sorted(self._refusal_codes()):
            schema = (
                self._component("FieldErrors", FIELD_ERRORS)
                if code == "400"
                else self._component("Detail", DETAIL)
            )
            responses.setdefault(
                code,
                {
                    "description": DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": schema}},
                },
            )
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The API token (``staff.tokens``) under the name and shape it always had in the schema."""

    target_class = "staff.tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token": ask for one '
            "at /api/v1/auth/token/; it works until its expiry (DESK_API_TOKEN_DAYS days).",
        }
