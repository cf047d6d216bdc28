"""Fields of the API's bodies that DRF's own accept too readily."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from staff.names import person_name


class WholeIdField(serializers.PrimaryKeyRelatedField):
    """An id given as a whole number (``7`` or ``"7"``). DRF's own would let the database cast
    ``1.5`` or ``true`` to an id and link the wrong row."""

    def to_internal_value(self, data):
        whole = type(data) is int or (type(data) is str and data.isascii() and data.isdigit())
        if not whole:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


@extend_schema_field(serializers.CharField(allow_null=True))
class PersonNameField(serializers.Field):
    """A person beside their username: the name as colleagues write it (陈小明), or the
    username when no name is set; null for nobody (and for the system)."""

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return person_name(value)
