"""Reporting API: monthly reports (list, detail, regenerate) and the dashboard's figures."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from pmm_portal.core.api import ID_LOOKUP
from pmm_portal.core.http import AuthenticatedRequest
from pmm_portal.core.models import Team
from pmm_portal.core.permissions import PMM_AND_CMO, HasRole

from . import permissions, selectors, services
from .filters import ReportFilter
from .forms import ALL_TEAMS, DashboardFilterForm
from .models import MonthlyReport


class MonthlyReportSerializer(serializers.ModelSerializer[MonthlyReport]):
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
    month = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "team",
            "month",
            "status",
            "version",
            "generated_at",
            "checked_at",
            "requested_at",
            "error",
            "summary",
        ]
        read_only_fields = fields

    def get_month(self, report: MonthlyReport) -> str:
        return report.month_slug


class MonthlyReportDetailSerializer(MonthlyReportSerializer):
    class Meta(MonthlyReportSerializer.Meta):
        fields = [*MonthlyReportSerializer.Meta.fields, "data"]
        read_only_fields = fields


class MonthlyReportViewSet(viewsets.ReadOnlyModelViewSet[MonthlyReport]):
    """Monthly review reports of the teams the user leads or belongs to (PMMs and CMOs)."""

    lookup_value_regex = ID_LOOKUP
    permission_classes = [HasRole]
    allowed_roles = PMM_AND_CMO
    filterset_class = ReportFilter
    search_fields = ["team__name", "summary"]
    ordering_fields = ["month", "generated_at"]
    ordering = ["-month"]

    def get_queryset(self) -> QuerySet[MonthlyReport]:
        if getattr(self, "swagger_fake_view", False):
            return MonthlyReport.objects.none()
        return permissions.visible_to(self.request.user).select_related("team")  # type: ignore[arg-type]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[MonthlyReport]]:
        return MonthlyReportDetailSerializer if self.action == "retrieve" else MonthlyReportSerializer

    @extend_schema(request=None, responses={202: MonthlyReportSerializer})
    @action(detail=True, methods=["post"])
    def regenerate(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Queue the report's regeneration with today's data; poll the report for its status."""
        report = permissions.access_report(user=request.user, id=pk or "", action="regenerate")
        report = services.report_request(team=report.team, month=report.month, user=request.user)
        report.refresh_from_db()
        return Response(MonthlyReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


@extend_validation_errors(["invalid"], field_name="team", methods=["get"])
@extend_validation_errors(["invalid"], field_name="month", methods=["get"])
class DashboardFiguresView(APIView):
    """The dashboard's figures for a team (or all the user's teams) and a month."""

    permission_classes = [HasRole]
    allowed_roles = PMM_AND_CMO

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "team", str, description="A team's id (a slug is still accepted), or `all` (default)."
            ),
            OpenApiParameter(
                "month",
                str,
                description="YYYY-MM (default: the dashboard's: last month until the 5th working day, "
                "then the current month).",
            ),
        ],
        responses={200: dict[str, Any]},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        user = request.user
        visible = permissions.teams_visible_to(user)
        params = request.query_params.copy()
        team_ref = params.get("team", "")
        if team_ref.isdigit():  # the id, the API's way to name a team; the form knows slugs
            named = visible.filter(pk=int(team_ref)).first()
            params["team"] = named.slug if named is not None else team_ref
        form = DashboardFilterForm(params, teams=visible)
        if params and not form.is_valid():
            raise serializers.ValidationError(
                {
                    field: [error["message"] for error in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
            )
        teams = list(visible)
        slug = form.cleaned_data.get("team") if form.is_bound and form.is_valid() else None
        if slug and slug != ALL_TEAMS:
            teams = [team for team in teams if team.slug == slug]
        if not teams:
            return Response({"teams": [], "people": [], "figures": None})
        month = (form.cleaned_data.get("month") if form.is_bound else None) or selectors.default_month(
            teams=teams
        )
        return Response(selectors.current_dashboard(teams=teams, month=month))
