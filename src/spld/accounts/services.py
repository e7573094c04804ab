"""Writes about accounts: registration, e-mail verification, sign-in, memberships, API tokens."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import smtplib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from spld.accounts import throttling
from spld.accounts.models import ApiToken, EmailCode, Membership, UnlockLink, User
from spld.core.mail import MailUnavailable, send_mail
from spld.core.net import client_address
from spld.core.permissions import TokenActor, require

CODE_TTL = timedelta(minutes=15)
CODE_MAX_ATTEMPTS = 5
TOKEN_PREFIX = "spld_"
UNLOCK_TTL = timedelta(hours=24)

log = logging.getLogger(__name__)


class SignInRefused(Exception):
    """Sign-in refused; the message is safe to show, `throttled` says whether to retry later."""

    def __init__(self, message: str, *, throttled: bool = False) -> None:
        super().__init__(message)
        self.throttled = throttled


def _code_digest(user: User, code: str) -> str:
    # Keyed by the user so that equal codes of two users never share a digest.
    return hashlib.sha256(f"{user.pk}:{code}".encode()).hexdigest()


def register_citizen(*, email: str, password: str, display_name: str = "") -> User:
    """Create an unverified citizen account and send its verification code.

    MailUnavailable when the code cannot be sent: then no account is created.
    """
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Un compte existe déjà avec cette adresse.")})
    candidate = User(email=email, username=email, display_name=display_name)
    validate_password(password, candidate)
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, display_name=display_name)
        send_verification_code(user=user)
    return user


def send_verification_code(*, user: User) -> None:
    """Mail a fresh 6-digit code; earlier codes stop working."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        user.email_codes.filter(used_at__isnull=True).update(used_at=timezone.now())
        EmailCode.objects.create(
            user=user, digest=_code_digest(user, code), expires_at=timezone.now() + CODE_TTL
        )
        # Inside the transaction: if the mail server fails, the earlier codes still work.
        send_mail(
            _("Votre code de vérification SPLD"),
            _(
                "Votre code : {code}\nIl est valable 15 minutes.\n\nYour code: {code} "
                "(valid for 15 minutes)."
            ).format(code=code),
            None,
            [user.email],
        )


def verify_email(*, user: User, code: str) -> None:
    """Mark the address verified if the code matches; throttled against guessing."""
    if throttling.blocked_until("otp", str(user.pk)):
        raise ValidationError(_("Trop d’essais. Réessayez dans quelques minutes."))
    pending = (
        user.email_codes.filter(used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if pending is None:
        raise ValidationError(_("Ce code a expiré. Demandez-en un nouveau."))
    if pending.attempts >= CODE_MAX_ATTEMPTS:
        raise ValidationError(_("Trop d’essais pour ce code. Demandez-en un nouveau."))
    if not hmac.compare_digest(pending.digest, _code_digest(user, code.strip())):
        EmailCode.objects.filter(pk=pending.pk).update(attempts=pending.attempts + 1)
        throttling.record_failure("otp", str(user.pk))
        raise ValidationError(_("Code incorrect."))
    with transaction.atomic():
        pending.used_at = timezone.now()
        pending.save(update_fields=["used_at"])
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    throttling.reset("otp", str(user.pk))


def _retry_text(until: datetime) -> str:
    minutes = max(1, -(-int((until - timezone.now()).total_seconds()) // 60))
    return ngettext(
        "Réessayez dans {minutes} minute.", "Réessayez dans {minutes} minutes.", minutes
    ).format(minutes=minutes)


def sign_in(*, request: HttpRequest, email: str, password: str) -> User:
    """Check credentials, throttled per (account, address) and per address."""
    address = client_address(request)
    email = email.strip().lower()
    until = throttling.blocked_until("ip", address)
    if until:
        raise SignInRefused(
            _("Trop de tentatives de connexion depuis votre adresse. {retry}").format(
                retry=_retry_text(until)
            ),
            throttled=True,
        )
    until = throttling.blocked_until("pair", email, address)
    if until:
        raise SignInRefused(
            _(
                "Trop de tentatives de connexion à ce compte depuis votre adresse. {retry} "
                "Si ce compte existe, un lien envoyé à son adresse électronique permet à son "
                "titulaire de le débloquer tout de suite."
            ).format(retry=_retry_text(until)),
            throttled=True,
        )
    user = authenticate(request, username=email, password=password)
    if user is None:
        paused = throttling.record_failure(
            "pair", email, address, policy=throttling.account_address_policy()
        )
        if paused:
            _account_paused(email=email, address=address, until=paused)
        if throttling.record_failure("ip", address, policy=throttling.address_policy()):
            log.warning("sign-in paused for every account from address %s", address)
        raise SignInRefused(_("Adresse électronique ou mot de passe incorrect."))
    throttling.reset("pair", email, address)
    return user  # type: ignore[return-value]


def _account_paused(*, email: str, address: str, until: datetime) -> None:
    # Log the account by number only: the typed address may be anyone's e-mail.
    owner = User.objects.filter(email__iexact=email, is_active=True).first()
    log.warning(
        "sign-in paused until %s for account %s from address %s",
        until.isoformat(timespec="seconds"),
        owner.pk if owner else "(unknown)",
        address,
    )
    if owner is not None:
        send_unlock_link(user=owner)


def send_unlock_link(*, user: User) -> bool:
    """Mail the owner a one-time link lifting the sign-in pauses (one live link per window)."""
    now = timezone.now()
    recent = now - timedelta(seconds=settings.LOGIN_THROTTLE_SECONDS)
    if user.unlock_links.filter(used_at__isnull=True, created_at__gt=recent).exists():
        return False  # an attacker must not be able to flood the owner's mailbox
    token = secrets.token_urlsafe(32)
    unlock = UnlockLink.objects.create(
        user=user, digest=hashlib.sha256(token.encode()).hexdigest(), expires_at=now + UNLOCK_TTL
    )
    link = settings.SITE_URL.rstrip("/") + reverse("accounts:unlock", args=[token])
    try:
        _mail_unlock_link(user=user, link=link)
    except (MailUnavailable, OSError, smtplib.SMTPException) as exc:
        # The sign-in answer must not depend on the mail server; the next pause retries.
        unlock.delete()
        log.warning("unlock e-mail for account %s not sent: %s", user.pk, type(exc).__name__)
        return False
    return True


def _mail_unlock_link(*, user: User, link: str) -> None:
    send_mail(
        _("Connexion à votre compte SPLD suspendue"),
        _(
            "Plusieurs mots de passe erronés ont été saisis pour votre compte ; les connexions "
            "depuis l’adresse concernée sont suspendues.\n\nSi c’était vous, ce lien lève la "
            "suspension (une seule fois, pendant 24 heures) :\n{link}\n\nSinon, vous n’avez "
            "rien à faire : votre mot de passe n’a pas été trouvé. Depuis un autre réseau, vous "
            "pouvez vous connecter normalement.\n\nSeveral wrong passwords were entered for "
            "your account. If it was you, this one-time link (valid 24 hours) lifts the pause: "
            "{link}"
        ).format(link=link),
        None,
        [user.email],
    )


def unlock_account(*, token: str) -> User:
    """Use an unlock link once: lift every per-address pause of its account."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        link = (
            UnlockLink.objects.select_for_update()
            .select_related("user")
            .filter(digest=digest, used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if link is None:
            raise ValidationError(
                _(
                    "Ce lien de déblocage a déjà servi ou a expiré. Vous pouvez en recevoir un "
                    "nouveau en cas de nouvelle suspension."
                )
            )
        link.used_at = now
        link.save(update_fields=["used_at"])
        # Other live links of the account die too: one unlock per pause is enough.
        link.user.unlock_links.filter(used_at__isnull=True).update(used_at=now)
        lifted = throttling.clear_prefix("pair", link.user.email)
    log.warning("sign-in pauses lifted by unlock link for account %s (%s)", link.user.pk, lifted)
    return link.user


def add_membership(*, actor: Any, user: User, organization: Any, role: str) -> Membership:
    """Give a user a role in an organisation."""
    require(actor, "accounts.manage_members", organization)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Rôle inconnu.")})
    membership, _created = Membership.objects.get_or_create(
        user=user, organization=organization, role=role
    )
    return membership


def add_membership_by_email(*, actor: Any, organization: Any, email: str, role: str) -> Membership:
    """Give a role to the holder of an existing account."""
    require(actor, "accounts.manage_members", organization)
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError(
            _("Aucun compte avec cette adresse : la personne doit d’abord créer son compte.")
        )
    return add_membership(actor=actor, user=user, organization=organization, role=role)


def remove_membership(*, actor: Any, membership: Membership) -> None:
    """Withdraw a role; an organisation keeps at least one administrator."""
    require(actor, "accounts.manage_members", membership.organization)
    if (
        membership.role == Membership.Role.ORG_ADMIN
        and not Membership.objects.filter(
            organization=membership.organization, role=Membership.Role.ORG_ADMIN
        )
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(_("L’organisation doit garder au moins un administrateur."))
    membership.delete()


def create_api_token(*, actor: Any, organization: Any, name: str) -> tuple[ApiToken, str]:
    """Create a token for an organisation; the clear value is returned once, never stored."""
    require(actor, "accounts.manage_tokens", organization)
    prefix = secrets.token_hex(4)
    clear = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        organization=organization,
        name=name.strip()[:100] or _("Jeton sans nom"),
        prefix=prefix,
        digest=hashlib.sha256(clear.encode()).hexdigest(),
        created_by=actor if isinstance(actor, User) else None,
    )
    return token, clear


def revoke_api_token(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token: it stops working at once."""
    require(actor, "accounts.manage_tokens", token.organization)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_token(clear: str) -> TokenActor | None:
    """The organisation acting behind a bearer token, or None if unknown or revoked."""
    if not clear.startswith(TOKEN_PREFIX):
        return None
    digest = hashlib.sha256(clear.encode()).hexdigest()
    token = (
        ApiToken.objects.select_related("organization")
        .filter(digest=digest, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    # Coarse timestamp: one write per minute at most, not one per request.
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return TokenActor(organization=token.organization, token_id=token.pk)
