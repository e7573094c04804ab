"""Users, their roles in organisations, API tokens, e-mail codes, throttling and unlock links."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class SpldUserManager(UserManager["User"]):
    """Users are identified by e-mail; the username mirrors it."""

    def create_user(self, username=None, email=None, password=None, **extra):  # type: ignore[no-untyped-def, override]
        email = (email or username or "").strip().lower()
        return super().create_user(email, email, password, **extra)

    def create_superuser(self, username=None, email=None, password=None, **extra):  # type: ignore[no-untyped-def, override]
        email = (email or username or "").strip().lower()
        return super().create_superuser(email, email, password, **extra)


class User(AbstractUser):
    """A person: citizen, signatory staff, SPLD admin (superuser) or committee member."""

    email = models.EmailField(_("adresse électronique"), unique=True)
    display_name = models.CharField(_("nom affiché"), max_length=150, blank=True)
    email_verified_at = models.DateTimeField(_("adresse vérifiée le"), null=True, blank=True)
    is_committee_member = models.BooleanField(_("membre du comité d’éthique"), default=False)

    objects = SpldUserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.display_name or self.email

    def roles_for(self, organization: object) -> set[str]:
        """Roles held in an organisation (cached on the instance for the request)."""
        cache = self.__dict__.setdefault("_roles_cache", None)
        if cache is None:
            cache = {}
            for org_id, role in self.memberships.values_list("organization_id", "role"):
                cache.setdefault(org_id, set()).add(role)
            self.__dict__["_roles_cache"] = cache
        return set(cache.get(getattr(organization, "pk", None), set()))


class Membership(models.Model):
    """A user's role in an organisation."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("éditeur")
        DPO = "dpo", _("délégué à la protection des données")
        ORG_ADMIN = "org_admin", _("administrateur de l’organisation")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organization}"


class ApiToken(models.Model):
    """A revocable API key of an organisation; only its SHA-256 is stored."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class EmailCode(models.Model):
    """A one-time code sent to verify an e-mail address (hashed, short-lived)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_codes")
    digest = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"code for user {self.user_id}"


class Throttle(models.Model):
    """Failure counter per key (account and address, address, or code) shared by every process."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key


class UnlockLink(models.Model):
    """One-time link mailed to an account's owner to lift the sign-in pauses on that account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="unlock_links")
    # SHA-256 of the random token in the link; the token itself is only in the e-mail.
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"unlock link for user {self.user_id}"
