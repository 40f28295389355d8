from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.utils.crypto import get_random_string
from django.views.decorators.http import require_POST


@login_required(login_url="/login/")
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"<!doctype html><title>Floor</title><p>Hello {request.user.get_username()}</p>")


class TitleForm(forms.Form):
    title = forms.CharField(max_length=100)


@login_required(login_url="/login/")
@require_POST
def floor_form(request: HttpRequest) -> HttpResponse:
    """The POST floor: a CSRF-checked form whose valid answer is one INSERT, then a redirect."""
    form = TitleForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    Group.objects.create(name=f"{form.cleaned_data['title']} {get_random_string(20)}")
    return HttpResponseRedirect("/")


urlpatterns = [path("", floor), path("form/", floor_form)]
