"""HTML forms of the charter (validation of shapes; rules live in the services)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from spld.charter.models import (
    CapacityDecision,
    CommitteeMeeting,
    CommitteeMember,
    EvaluationAnswer,
    Membership,
    Opinion,
)
from spld.core.principles import PRINCIPLES
from spld.organizations.models import Organization

PRINCIPLE_CHOICES = [(p.number, f"{p.number}. {p.title}") for p in PRINCIPLES]


class DateInput(forms.DateInput):
    input_type = "date"


class ApplyForm(forms.Form):
    route = forms.ChoiceField(label=_("Voie d’entrée"), choices=Membership.Route.choices)
    motivation = forms.CharField(label=_("Pourquoi signer ?"), widget=forms.Textarea,
                                 required=False, max_length=5000)
    contract_kind = forms.ChoiceField(label=_("Type de contrat"), required=False,
                                      choices=[("", "—"), *Membership.ContractKind.choices])
    contract_reference = forms.CharField(label=_("Référence du contrat"), required=False,
                                         max_length=200)
    contract_start = forms.DateField(label=_("Début du contrat"), required=False,
                                     widget=DateInput)
    contract_end = forms.DateField(label=_("Fin du contrat"), required=False, widget=DateInput)
    contracting_authority = forms.ModelChoiceField(
        label=_("Autorité contractante"), required=False, queryset=Organization.objects.all())


class AnswerForm(forms.Form):
    principle = forms.TypedChoiceField(label=_("Principe"), choices=PRINCIPLE_CHOICES, coerce=int)
    practice = forms.CharField(label=_("Ce que fait l’organisation"), widget=forms.Textarea,
                               max_length=10000)
    responsible = forms.CharField(label=_("Fonction responsable"), max_length=200,
                                  help_text=_("Une fonction (par exemple « DPO »), pas un nom."))
    evidence_label = forms.CharField(label=_("Intitulé de la preuve"), required=False,
                                     max_length=200)
    evidence_file = forms.FileField(
        label=_("Preuve (fichier)"), required=False,
        help_text=_("PDF, image PNG ou JPEG, document ODT/ODS/DOCX/XLSX, CSV ou texte ; "
                    "10 Mo au plus."))
    evidence_url = forms.URLField(label=_("Ou preuve (lien)"), required=False, max_length=500,
                                   assume_scheme="https")


class CommentForm(forms.Form):
    principle = forms.TypedChoiceField(label=_("Principe concerné"), required=False,
                                       choices=[("", "—"), *PRINCIPLE_CHOICES], coerce=int,
                                       empty_value=None)
    body = forms.CharField(label=_("Commentaire"), widget=forms.Textarea, max_length=10000)
    requests_change = forms.BooleanField(label=_("Demande une modification"), required=False)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Décision"), choices=CapacityDecision.Outcome.choices)
    reasons = forms.CharField(label=_("Motifs"), widget=forms.Textarea, max_length=10000)


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Nouveau statut"), choices=Membership.Status.choices)
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea, max_length=5000)


class AlertForm(forms.Form):
    principle = forms.TypedChoiceField(label=_("Principe"), choices=PRINCIPLE_CHOICES, coerce=int)
    facts = forms.CharField(label=_("Faits constatés"), widget=forms.Textarea, max_length=10000)
    expected_remedy = forms.CharField(label=_("Correction attendue"), widget=forms.Textarea,
                                      max_length=10000)
    deadline = forms.DateField(label=_("Échéance"), widget=DateInput)


class AlertAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Votre réponse"), widget=forms.Textarea, max_length=10000)


class ExclusionForm(forms.Form):
    decision = forms.CharField(label=_("Décision du comité"), widget=forms.Textarea,
                               max_length=10000)
    votes_for = forms.IntegerField(label=_("Voix pour l’exclusion"), min_value=0)
    votes_against = forms.IntegerField(label=_("Voix contre"), min_value=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)
    decided_on = forms.DateField(label=_("Date de la décision"), widget=DateInput)
    meeting = forms.ModelChoiceField(label=_("Réunion du comité"), required=False,
                                     queryset=CommitteeMeeting.objects.all())


class EvaluationForm(forms.Form):
    year = forms.IntegerField(label=_("Année évaluée"), min_value=2000, max_value=2100)
    summary = forms.CharField(label=_("Synthèse"), widget=forms.Textarea, required=False,
                              max_length=10000)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for p in PRINCIPLES:
            self.fields[f"level_{p.number}"] = forms.ChoiceField(
                label=_("Principe {n} — {t} : niveau").format(n=p.number, t=p.title),
                choices=EvaluationAnswer.Level.choices)
            self.fields[f"comment_{p.number}"] = forms.CharField(
                label=_("Principe {n} : commentaire").format(n=p.number), required=False,
                max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))

    def answers(self) -> dict[int, tuple[str, str]]:
        return {p.number: (self.cleaned_data[f"level_{p.number}"],
                           self.cleaned_data.get(f"comment_{p.number}", ""))
                for p in PRINCIPLES}


class OpinionForm(forms.Form):
    subject_kind = forms.ChoiceField(label=_("Objet de l’avis"),
                                     choices=Opinion.SubjectKind.choices)
    membership = forms.ModelChoiceField(label=_("Adhésion concernée"), required=False,
                                        queryset=Membership.objects.select_related(
                                            "organization"))
    subject_ref = forms.CharField(label=_("Usage ou algorithme (identifiant ou adresse)"),
                                  required=False, max_length=200)
    title = forms.CharField(label=_("Titre"), max_length=200)
    body = forms.CharField(label=_("Avis"), widget=forms.Textarea, max_length=20000)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)
    college = forms.ChoiceField(label=_("Collège"), choices=CommitteeMember.College.choices)
    mandate_start = forms.DateField(label=_("Début du mandat"), widget=DateInput)
    mandate_end = forms.DateField(label=_("Fin du mandat"), widget=DateInput)


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("Date de la réunion"), widget=DateInput)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    agenda = forms.CharField(label=_("Ordre du jour"), widget=forms.Textarea, max_length=20000)


class MinutesForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Réunion"), queryset=CommitteeMeeting.objects.all())
    minutes = forms.CharField(label=_("Compte rendu"), widget=forms.Textarea, max_length=50000)


class ReportTextForm(forms.Form):
    introduction = forms.CharField(label=_("Introduction"), widget=forms.Textarea,
                                   required=False, max_length=20000)
    recommendations = forms.CharField(label=_("Recommandations du comité"),
                                      widget=forms.Textarea, required=False, max_length=20000)


class ReportYearForm(forms.Form):
    year = forms.IntegerField(label=_("Année"), min_value=2000,
                              max_value=dt.date.today().year)
