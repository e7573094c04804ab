"""Forms for sign-in, registration, e-mail verification and tokens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from spld.accounts.models import Membership


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse électronique"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class RegisterForm(forms.Form):
    display_name = forms.CharField(
        label=_("Nom ou pseudonyme (facultatif)"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    email = forms.EmailField(
        label=_("Adresse électronique"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Mot de passe (10 caractères au moins)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class VerifyForm(forms.Form):
    code = forms.RegexField(
        label=_("Code reçu par courriel (6 chiffres)"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Le code compte 6 chiffres.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Nom du jeton (à quoi sert-il ?)"), max_length=100)


class MemberForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse électronique de la personne (elle doit avoir un compte)")
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=Membership.Role.choices)
