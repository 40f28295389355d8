from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.BatchListView.as_view(), name="index"),
    path("new/", views.UploadView.as_view(), name="new"),
    path("templates/<slug:kind>/", views.TemplateView.as_view(), name="template"),
    path("<int:pk>/", views.BatchDetailView.as_view(), name="detail"),
    path("<int:pk>/preview/", views.PreviewView.as_view(), name="preview"),
    path("<int:pk>/import/", views.ImportView.as_view(), name="run"),
    path("<int:pk>/undo/", views.UndoView.as_view(), name="undo"),
]
