"""Single sign-on pages (to the provider and back) and the SCIM 2.0 endpoints.

Sign-in goes to the provider from a link, not a form: the content security policy's ``form-action
'self'`` would stop a form whose answer redirects to the provider. The provider sends the browser
back with a GET (the ``Lax`` session cookie goes with it).
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    get_next_url,
)

from pmm_portal.core.models import User

from . import oidc, scim, services
from .backends import OIDC_BACKEND, OIDCBackend


def _home(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(get_next_url(request, "next") or resolve_url(settings.LOGIN_REDIRECT_URL))


def _refused(request: HttpRequest, why: str) -> HttpResponse:
    messages.error(request, f"Single sign-on did not sign you in: {why}")
    return redirect(settings.LOGIN_URL)


class SignInView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Sends the visitor to the provider's sign-in (state, nonce and PKCE kept in their session)."""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the library's reads the provider here; get() does, when needed

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return _home(request)
        if not oidc.enabled():
            return _refused(request, "it is not set up on this portal.")
        try:
            provider = oidc.provider()
        except oidc.ProviderUnavailableError:
            return _refused(request, "the provider could not be reached; try again in a moment.")
        self.OIDC_OP_AUTH_ENDPOINT = provider.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        response: HttpResponse = super().get(request)
        return response


class CallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Where the provider sends the browser back: the code is exchanged and the person signed in.

    The backend is called directly rather than through ``authenticate()``: a refused SSO answer is
    not a password guess, and must not count towards django-axes' lockout of the address.
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        if "code" not in request.GET and "error" not in request.GET and request.user.is_authenticated:
            return _home(request)
        if not oidc.enabled():
            return _refused(request, "it is not set up on this portal.")
        states = request.session.get("oidc_states", {})
        pending = states.pop(request.GET.get("state", ""), None)  # a state is used once
        request.session["oidc_states"] = states
        if request.GET.get("error"):
            return _refused(request, request.GET.get("error_description") or request.GET["error"])
        if pending is None or "code" not in request.GET:
            return _refused(request, "the answer from the provider was not for this sign-in; try again.")
        backend = OIDCBackend()
        user = backend.authenticate(
            request, nonce=pending["nonce"], code_verifier=pending.get("code_verifier")
        )
        if user is None:
            return _refused(request, backend.refusal or "the provider's answer could not be verified.")
        user.backend = OIDC_BACKEND
        self.user = user
        response: HttpResponse = self.login_success()
        return response


@method_decorator(csrf_exempt, name="dispatch")
class ScimView(View):
    """A SCIM endpoint: the bearer token is checked before anything reads the body."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not scim.token_ok(request):
            return scim.ScimError(401, "A valid bearer token is required.").response()
        try:
            return super().dispatch(request, *args, **kwargs)
        except scim.ScimError as exc:
            return exc.response()

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return scim.ScimError(405, f"{request.method} is not supported here.").response()

    def base(self) -> str:
        return self.request.build_absolute_uri(reverse("scim:users")).removesuffix("/Users")

    def resource(self, user: User, status: int = 200) -> HttpResponse:
        answer = scim.respond(scim.user_resource(user, base=self.base()), status=status)
        if status == 201:
            answer["Location"] = f"{self.base()}/Users/{user.pk}"
        return answer


class UsersView(ScimView):
    def get(self, request: HttpRequest) -> HttpResponse:
        users = scim.filtered(scim.managed_users(), request.GET.get("filter", ""))
        start, count = scim.page(request.GET)
        chosen = list(users[start - 1 : start - 1 + count]) if count else []
        resources = [scim.user_resource(user, base=self.base()) for user in chosen]
        return scim.respond(scim.list_response(resources, total=users.count(), start=start))

    def post(self, request: HttpRequest) -> HttpResponse:
        person = scim.person_from_resource(scim.read_json(request))
        try:
            user = services.user_provision_create(person=person)
        except services.ProvisioningConflictError as exc:
            raise scim.ScimError(409, str(exc), "uniqueness") from None
        return self.resource(user, status=201)


class UserView(ScimView):
    def user(self, user_id: str) -> User:
        user = scim.managed_users().filter(pk=int(user_id)).first() if user_id.isdigit() else None
        if user is None:
            raise scim.ScimError(404, f"There is no user {user_id}.")
        return user

    def get(self, request: HttpRequest, user_id: str) -> HttpResponse:
        return self.resource(self.user(user_id))

    def put(self, request: HttpRequest, user_id: str) -> HttpResponse:
        return self._update(self.user(user_id), scim.person_from_resource(scim.read_json(request)))

    def patch(self, request: HttpRequest, user_id: str) -> HttpResponse:
        return self._update(self.user(user_id), scim.person_from_patch(scim.read_json(request)))

    def delete(self, request: HttpRequest, user_id: str) -> HttpResponse:
        """Deprovisioning: the account is deactivated, never deleted (its history stays)."""
        services.user_deactivate(user=self.user(user_id))
        return scim.respond(None, status=204)

    def _update(self, user: User, person: services.Provisioned) -> HttpResponse:
        try:
            services.user_provision_update(user=user, person=person)
        except services.ProvisioningConflictError as exc:
            raise scim.ScimError(409, str(exc), "uniqueness") from None
        return self.resource(user)


class ServiceProviderConfigView(ScimView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return scim.respond(scim.service_provider_config())


class ResourceTypesView(ScimView):
    def get(self, request: HttpRequest) -> HttpResponse:
        types = scim.resource_types(base=self.base())
        return scim.respond(scim.list_response(types, total=len(types), start=1))


class SchemasView(ScimView):
    def get(self, request: HttpRequest) -> HttpResponse:
        found = scim.schemas(base=self.base())
        return scim.respond(scim.list_response(found, total=len(found), start=1))
