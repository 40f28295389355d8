from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path


@login_required(login_url="/login/")
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"<!doctype html><title>Floor</title><p>Hello {request.user.get_username()}</p>")


urlpatterns = [path("", floor)]
