"""Sign-in, registration, e-mail verification, the user's space and API tokens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spld.accounts import selectors, services
from spld.accounts.forms import MemberForm, RegisterForm, SignInForm, TokenForm, VerifyForm
from spld.accounts.models import ApiToken, Membership
from spld.core.mail import MailUnavailable
from spld.core.permissions import has_perm, require
from spld.organizations.models import Organization


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign-in form, throttled after repeated failures."""
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
        except services.SignInRefused as refusal:
            form.add_error(None, str(refusal))
            status = 429 if refusal.throttled else 400
        else:
            login(request, user)
            return redirect(_next_url(request) or "accounts:space")
    elif request.method == "POST":
        status = 400
    oidc_provider = settings.OIDC_PROVIDER_NAME if settings.OIDC_DISCOVERY_URL else ""
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": _next_url(request), "oidc_provider": oidc_provider},
        status=status,
    )


def unlock(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed unlock link: GET asks for confirmation, POST lifts the pauses once."""
    # A confirmation step, because mail scanners open links and would use them up.
    if request.method == "POST":
        try:
            services.unlock_account(token=token)
        except ValidationError as error:
            return render(request, "accounts/unlock.html", {"error": error.messages[0]}, status=400)
        messages.success(request, _("Votre compte est débloqué : vous pouvez vous connecter."))
        return redirect("accounts:login")
    return render(request, "accounts/unlock.html", {})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, so that a link cannot sign someone out)."""
    logout(request)
    messages.info(request, _("Vous êtes déconnecté."))
    return redirect("core:home")


def register(request: HttpRequest) -> HttpResponse:
    """Citizen self-registration; a code is mailed to verify the address."""
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.register_citizen(**form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("email" if "adresse" in message else "password", message)
        except MailUnavailable:
            form.add_error(None, _(
                "Le code de vérification n’a pas pu être envoyé : le serveur de messagerie ne "
                "répond pas. Votre compte n’a pas été créé ; réessayez dans quelques minutes."))
            return render(request, "accounts/register.html", {"form": form}, status=503)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Compte créé. Saisissez le code envoyé à {email}.").format(email=user.email),
            )
            return redirect("accounts:verify")
    return render(
        request,
        "accounts/register.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Enter the one-time code received by e-mail."""
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_email(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error.messages[0])
        else:
            messages.success(request, _("Votre adresse est vérifiée."))
            return redirect("accounts:space")
    return render(
        request,
        "accounts/verify.html",
        {"form": form},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_POST
def resend_code(request: HttpRequest) -> HttpResponse:
    """Send a new verification code."""
    services.send_verification_code(user=request.user)
    messages.info(request, _("Un nouveau code vous a été envoyé."))
    return redirect("accounts:verify")


@login_required
def space(request: HttpRequest) -> HttpResponse:
    """« Mon espace »: roles, organisations and shortcuts."""
    memberships = selectors.memberships_of(request.user)
    return render(request, "accounts/space.html", {"memberships": memberships})


@login_required
def tokens(request: HttpRequest, slug: str) -> HttpResponse:
    """List and create an organisation's API tokens (organisation admins)."""
    organization = get_object_or_404(Organization, slug=slug)
    if not has_perm(request.user, "accounts.manage_tokens", organization):
        raise PermissionDenied(_("Seuls les administrateurs de l’organisation gèrent ses jetons."))
    form = TokenForm(request.POST or None)
    clear = None
    if request.method == "POST" and form.is_valid():
        _token, clear = services.create_api_token(
            actor=request.user, organization=organization, name=form.cleaned_data["name"]
        )
        form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "organization": organization,
            "tokens": selectors.tokens_of(organization),
            "form": form,
            "clear_token": clear,
        },
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Revoke one token."""
    token = get_object_or_404(ApiToken, pk=pk, organization__slug=slug)
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("Le jeton « {name} » est révoqué.").format(name=token.name))
    return redirect("accounts:tokens", slug=slug)


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """List an organisation's members and give roles (organisation admins)."""
    organization = get_object_or_404(Organization, slug=slug)
    require(request.user, "accounts.manage_members", organization)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_membership_by_email(
                actor=request.user, organization=organization, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error("email", error.messages[0])
        else:
            messages.success(request, _("Rôle attribué."))
            return redirect("accounts:members", slug=slug)
    return render(
        request,
        "accounts/members.html",
        {
            "organization": organization,
            "members": selectors.members_of(organization),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def remove_member(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Withdraw one role."""
    membership = get_object_or_404(Membership, pk=pk, organization__slug=slug)
    try:
        services.remove_membership(actor=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Rôle retiré."))
    return redirect("accounts:members", slug=slug)
