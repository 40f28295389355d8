"""Two small guards on every request and response (issue 12: files and caches).

``RequestBodyLimitMiddleware`` refuses a body larger than ``settings.MAX_REQUEST_BODY_BYTES``
from its ``Content-Length`` alone, before anything reads it: Django parses a multipart
upload in full (to memory or a temporary file) the first time a view, or the CSRF check,
touches ``request.POST``, so the size limit of a form field would only answer after the
whole body had arrived. Gunicorn has no body limit of its own; a proxy in front should
have one too (``client_max_body_size`` in nginx).

``PrivateCacheControlMiddleware`` marks what a signed-in user receives (pages, exports, API
answers) ``Cache-Control: private, no-store``, so no shared cache or back button keeps
another person's data. A response that set its own ``Cache-Control`` keeps it. Static
files never reach it: WhiteNoise answers them earlier in the chain.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import render

Handler = Callable[[HttpRequest], HttpResponseBase]

PRIVATE_NO_STORE = "private, no-store"


def content_length(request: HttpRequest) -> int:
    """The body size the client announced, 0 when it announced none or nonsense (as Django reads it)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def body_too_large(request: HttpRequest, *, limit: int) -> HttpResponseBase:
    """413 with what to do: JSON in the API's error format for ``/api/``, a page otherwise."""
    megabytes = limit // (1024 * 1024)
    detail = (
        f"The upload is larger than {megabytes} MB in all, so nothing was sent. Attach fewer or smaller "
        "files, or share a link to large files instead."
    )
    if request.path.startswith("/api/"):
        error = {"code": "request_too_large", "detail": detail, "attr": None}
        return JsonResponse({"type": "client_error", "errors": [error]}, status=413)
    return render(request, "413.html", {"detail": detail, "back_url": request.path}, status=413)


class RequestBodyLimitMiddleware:
    """Refuse a request whose announced body exceeds ``MAX_REQUEST_BODY_BYTES`` (413), unread.

    Place it after the authentication middleware (so the refusal page knows who is signed in)
    and anywhere before the views: the CSRF check reads the form only in ``process_view``,
    after every middleware has seen the request. Under WSGI a client cannot send more than
    its ``Content-Length``, so checking the header bounds what is ever read.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit: int = settings.MAX_REQUEST_BODY_BYTES
        if content_length(request) > limit:
            return body_too_large(request, limit=limit)
        return self.get_response(request)


class PrivateCacheControlMiddleware:
    """``Cache-Control: private, no-store`` on responses to a signed-in user, unless the view set its own.

    An API call signed in with a token counts too: DRF puts the user it authenticated on the
    underlying request.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = PRIVATE_NO_STORE
        return response
