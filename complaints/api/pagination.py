from collections import OrderedDict

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class PageWithoutCount(BasePagination):
    """Numbered pages that never count the table: one extra row says whether more follow."""

    page_size = 50
    max_page = 10_000

    def paginate_queryset(self, queryset, request, view=None):
        try:
            self.page = max(1, min(int(request.query_params.get("page", 1)), self.max_page))
        except (TypeError, ValueError):
            self.page = 1
        self.request = request
        start = (self.page - 1) * self.page_size
        rows = list(queryset[start : start + self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        return rows[: self.page_size]

    def get_paginated_response(self, data):
        url = self.request.build_absolute_uri()
        previous = None
        if self.page > 1:
            previous = (
                remove_query_param(url, "page")
                if self.page == 2
                else replace_query_param(url, "page", self.page - 1)
            )
        return Response(
            OrderedDict(
                page=self.page,
                next=replace_query_param(url, "page", self.page + 1) if self.has_next else None,
                previous=previous,
                results=data,
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["page", "results"],
            "properties": {
                "page": {"type": "integer"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
