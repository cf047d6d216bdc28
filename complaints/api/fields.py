"""Fields of the API's bodies that DRF's own accept too readily."""

from __future__ import annotations

from rest_framework import serializers


class WholeIdField(serializers.PrimaryKeyRelatedField):
    """An id given as a whole number (``7`` or ``"7"``). DRF's own would let the database cast
    ``1.5`` or ``true`` to an id and link the wrong row."""

    def to_internal_value(self, data):
        whole = type(data) is int or (type(data) is str and data.isascii() and data.isdigit())
        if not whole:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)
