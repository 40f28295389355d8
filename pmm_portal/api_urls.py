"""Everything under ``/api/v1/``. Each app registers its viewsets on the one router."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from pmm_portal.core import api as core_api

router = DefaultRouter()
router.register("teams", core_api.TeamViewSet, basename="team")
router.register("products", core_api.ProductViewSet, basename="product")

urlpatterns = [
    path("me/", core_api.MeView.as_view(), name="me"),
    path("auth/token/", core_api.TokenView.as_view(), name="token"),
    path("", include(router.urls)),
]
