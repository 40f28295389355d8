from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("export/<slug:table>.csv", views.DashboardCsvView.as_view(), name="dashboard_csv"),
    path("reports/", views.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report"),
    path("reports/<int:pk>/live/", views.ReportStatusView.as_view(), name="report_live"),
    path("reports/<int:pk>/regenerate/", views.ReportRegenerateView.as_view(), name="report_regenerate"),
    path("reports/<int:pk>/summary/", views.ReportSummaryView.as_view(), name="report_summary"),
    path("reports/<int:pk>/send/", views.ReportSendView.as_view(), name="report_send"),
    path("reports/<int:pk>/report.pdf", views.ReportPdfView.as_view(), name="report_pdf"),
    path("reports/<int:pk>/report.csv", views.ReportCsvView.as_view(), name="report_csv"),
    path("reports/<int:pk>/report.xlsx", views.ReportXlsxView.as_view(), name="report_xlsx"),
    path("reports/<int:pk>/csv/<slug:table>/", views.ReportTableCsvView.as_view(), name="report_table_csv"),
]
