"""Forms of the citizen's data space, the back-office and the receipt verifier."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spld.rights.models import RightsRequest
from spld.rights.services import REFUSAL_REASONS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class SituationForm(forms.Form):
    """Step 1: which right, and the citizen's situation, to propose organisations."""

    kind = forms.ChoiceField(label=_("Quel droit voulez-vous exercer ?"),
                             choices=RightsRequest.Kind.choices)
    commune = forms.ChoiceField(
        label=_("Votre commune (facultatif)"), required=False,
        help_text=_("SPLD propose en priorité les organisations qui servent votre commune."),
        error_messages={"invalid_choice": _("Choisissez votre commune dans la liste.")},
    )
    situations = forms.MultipleChoiceField(
        label=_("Votre situation"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Cochez ce qui vous concerne : SPLD propose les organisations dont les "
                    "traitements, déclarés au registre, couvrent ces situations."),
    )

    def __init__(self, *args: Any, situations: list[str], communes: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["situations"].choices = [(s, s) for s in situations]
        # The person picks a name; the INSEE code stays the option's value, used internally.
        self.fields["commune"].choices = [("", _("— Je préfère ne pas l’indiquer —")),
                                          *communes]


class RequestForm(forms.Form):
    """Step 2: the organisations chosen, details and attachments."""

    organizations = forms.MultipleChoiceField(
        label=_("Organisations destinataires"), widget=forms.CheckboxSelectMultiple,
    )
    details = forms.CharField(
        label=_("Précisions (facultatif)"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Par exemple votre numéro d’abonné. Ce texte est chiffré."),
    )
    attachments = MultipleFileField(
        label=_("Pièces jointes (facultatif)"), required=False,
        help_text=_("PDF, PNG, JPEG ou texte ; 3 fichiers de 5 Mo au plus. Stockées chiffrées."),
    )

    def __init__(self, *args: Any, organizations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].choices = organizations


class CompleteForm(forms.Form):
    answer = forms.CharField(label=_("Réponse à la personne"), max_length=10000,
                             widget=forms.Textarea(attrs={"rows": 4}))
    data_file = forms.FileField(
        label=_("Données (accès, portabilité) : JSON ou CSV"), required=False,
        help_text=_("SPLD les remet à la personne en JSON, CSV et résumé lisible."),
    )


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Motif juridique"), choices=list(REFUSAL_REASONS.items()))
    details = forms.CharField(label=_("Explication à la personne"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    cada_relevant = forms.BooleanField(
        label=_("La demande porte aussi sur des documents administratifs (saisine de la CADA "
                "possible)"), required=False)


class ExtendForm(forms.Form):
    reason = forms.CharField(label=_("Motif de la prolongation"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(forms.Form):
    receipt_file = forms.FileField(label=_("Fichier du reçu (.jws)"), required=False)
    receipt_text = forms.CharField(
        label=_("ou collez le reçu"), required=False, max_length=64000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
