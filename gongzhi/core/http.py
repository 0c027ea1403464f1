"""Small helpers that every app's views share."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data on POST (even when every box is unticked), else None."""
    return request.POST if request.method == "POST" else None


def error_text(exc: Exception) -> str:
    """A ValidationError's messages (or any exception's text) as one line for a page's errors."""
    return " ".join(str(m) for m in getattr(exc, "messages", [str(exc)]))
