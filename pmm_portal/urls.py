"""Root URLs. The page prefixes and API paths are public contract (PRODUCT.md)."""

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from pmm_portal.core import api as core_api
from pmm_portal.core import views as core_views

admin.site.site_header = "PMM Portal administration"
admin.site.site_title = "PMM Portal admin"

urlpatterns = [
    path("", core_views.HomeView.as_view(), name="home"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("search/", core_views.SearchView.as_view(), name="search"),
    path("accounts/", include("pmm_portal.core.account_urls")),
    path("personas/", include("personas.urls")),
    path("competitors/", include("competitive.urls")),
    path("diagnostics/", include("diagnostics.urls")),
    path("launches/", include("launches.urls")),
    path("initiatives/timesheet/", include("timesheets.urls")),
    path("initiatives/", include("initiatives.urls")),
    path("requests/", include("requests_queue.urls")),
    path("inbox/", include("requests_queue.inbox_urls")),
    path("reporting/", include("reporting.urls")),
    path("imports/", include("imports.urls")),
    path("intake/", include("intake.urls")),
    path("integrations/", include("integrations.urls")),
    path("audit/", include("audit.urls")),
    # Single sign-on (issue 16): to the OpenID Connect provider and back; SCIM 2.0 provisioning.
    path("sso/", include("sso.urls")),
    path("scim/v2/", include("sso.scim_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("pmm_portal.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script from a URL, so the CSP needs no inline script.
    # Swagger UI sets a few inline styles (never scripts); allow styles on that page only.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="api-docs",
    ),
    # --- API contract (issue 12): any other path under /api/ answers the API's JSON 404, never
    # the HTML page. Last, so every real endpoint matches first; only paths that end with a
    # slash, so CommonMiddleware still redirects ``/api/v1/requests`` to ``/api/v1/requests/``.
    re_path(r"^api/(?:[\s\S]*/)?$", core_api.NotFoundView.as_view(), name="api-not-found"),
]

# --- Files (issue 12) -------------------------------------------------------------------------------
# MEDIA_ROOT is never served, in debug or not: uploads go out only through views that check
# who may see them (``requests_queue`` downloads, ``pmm_portal.core.files``).
