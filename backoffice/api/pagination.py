"""The page every list of both APIs is cut into."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def paginated(
    view: APIView,
    request: Request,
    queryset: QuerySet[Any],
    output: type[serializers.Serializer],
) -> Response:
    """One page of `queryset` rendered by `output`, with count and next/previous links."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(output(page, many=True).data)
