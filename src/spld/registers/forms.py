"""Editor forms of the registers."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from spld.core.permissions import is_spld_admin
from spld.organizations.models import Organization
from spld.registers import exports, vocab
from spld.registers.models import Algorithm, DataFlow, ImpactAssessment, ProcessingActivity, Usage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LinesField(forms.CharField):
    """A list of texts, one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class JsonField(forms.CharField):
    """Structured values typed as JSON (parameters, Eurocities attributes)."""

    widget = forms.Textarea(attrs={"rows": 6, "class": "code"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | dict):
            return json.dumps(value, ensure_ascii=False, indent=1)
        return value

    def to_python(self, value: Any) -> Any:
        if not value or not str(value).strip():
            return None
        try:
            return json.loads(value)
        except ValueError as exc:
            raise forms.ValidationError(_g("JSON invalide : {e}").format(e=exc)) from exc


class TransfersField(forms.CharField):
    """Transfers outside the EU, one per line: « pays ; garantie »."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{t['country']} ; {t['safeguard']}" for t in value)
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:
        out = []
        for line in (value or "").splitlines():
            if not line.strip():
                continue
            country, sep, safeguard = line.partition(";")
            if not sep or not country.strip() or not safeguard.strip():
                raise forms.ValidationError(_g("Une ligne par transfert : « pays ; garantie »."))
            out.append({"country": country.strip(), "safeguard": safeguard.strip()})
        return out


class EntryForm(forms.ModelForm):
    """Base: the organisation is chosen among those the user edits for."""

    organization = forms.ModelChoiceField(queryset=Organization.objects.none(),
                                          label=_("organisation responsable"))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organization"]
        elif is_spld_admin(user):
            self.fields["organization"].queryset = Organization.objects.all()
        else:
            self.fields["organization"].queryset = Organization.objects.filter(
                memberships__user=user).distinct()
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.DateInput):
                field.widget = DATE
            if name.startswith("datasets") or name in ("recipient_organizations",
                                                        "joint_controllers", "partners"):
                field.widget.attrs["size"] = 6


class ProcessingForm(EntryForm):
    purposes = forms.MultipleChoiceField(label=_("finalités (vocabulaire DPV)"),
                                         choices=vocab.purpose_choices,
                                         widget=forms.CheckboxSelectMultiple)
    data_categories = forms.MultipleChoiceField(
        label=_("catégories de données personnelles"), choices=vocab.category_choices,
        widget=forms.CheckboxSelectMultiple, required=False)
    data_subjects = LinesField(label=_("personnes concernées (une catégorie par ligne)"),
                               required=False)
    transfers = TransfersField(label=_("transferts hors Union européenne (« pays ; garantie »)"),
                               required=False)

    class Meta:
        model = ProcessingActivity
        fields = ["organization", "name", "description", "purposes", "purpose_detail",
                  "legal_basis", "legal_text", "data_categories", "data_subjects",
                  "recipient_organizations", "other_recipients", "transfers", "retention",
                  "security_measures", "joint_controllers", "processors", "datasets_used",
                  "datasets_produced", "dpia_required", "dpia_reason", "status", "start_date"]


class FlowForm(EntryForm):
    data_categories = forms.MultipleChoiceField(
        label=_("catégories de données personnelles"), choices=vocab.category_choices,
        widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = DataFlow
        fields = ["organization", "recipient", "recipient_category", "datasets",
                  "data_categories", "data_description", "purpose", "ground", "reference",
                  "start_date", "end_date", "frequency", "status"]


class UsageForm(EntryForm):
    class Meta:
        model = Usage
        fields = ["organization", "title", "description", "partners", "datasets", "purpose",
                  "general_interest", "expected_results", "actual_results", "start_date",
                  "end_date", "status", "algorithms", "processing_activities",
                  "footprint_note", "lineage_run"]


# French labels of the Eurocities standard's lists (the values stay the standard's own).
EUROCITIES_LABELS = {
    "domain": {
        "taxes": _("impôts et taxes"),
        "housing, living and living environment": _("logement et cadre de vie"),
        "culture, sports and leisure": _("culture, sport et loisirs"),
        "defence": _("défense"),
        "economy and entrepreneurship": _("économie et entreprises"),
        "family, youth and households": _("famille, jeunesse et foyers"),
        "finance": _("finances"),
        "generic": _("général"),
        "health and health care": _("santé et soins"),
        "immigration and integration": _("immigration et intégration"),
        "international collaboration and development aid": _(
            "coopération internationale et aide au développement"),
        "agriculture, nature and food": _("agriculture, nature et alimentation"),
        "environment, spacial planning and water": _("environnement, aménagement et eau"),
        "education and science": _("éducation et recherche"),
        "public safety": _("sécurité publique"),
        "government": _("administration publique"),
        "justice": _("justice"),
        "travel, living and working abroad": _("voyager, vivre et travailler à l’étranger"),
        "subsidies, benefits and allowances": _("aides, prestations et allocations"),
        "traffic and transportation": _("circulation et transports"),
        "work and career": _("travail et carrière"),
    },
    "risk_category": {
        "minimal risk": _("risque minimal"), "limited risk": _("risque limité"),
        "high risk": _("risque élevé"), "unacceptable": _("risque inacceptable"),
    },
    "type": {
        "descriptive": _("descriptif (décrit ce qui est)"),
        "diagnostic": _("diagnostique (explique pourquoi)"),
        "predictive": _("prédictif (estime ce qui arrivera)"),
        "prescriptive": _("prescriptif (propose quoi faire)"),
    },
}


def _eurocities_choices(attr: str) -> list[tuple[str, Any]]:
    labels = EUROCITIES_LABELS[attr]
    return [("", "---------")] + [(v, labels.get(v, v)) for v in exports.PROPERTIES[attr]["enum"]]


class AlgorithmForm(EntryForm):
    # Required attributes of the Eurocities standard with no column of their own (in `extra`).
    area = forms.CharField(label=_("zone géographique (standard Eurocities)"), max_length=200,
                           help_text=_("Nom officiel du territoire où l’algorithme est utilisé."))
    domain = forms.ChoiceField(label=_("domaine (standard Eurocities)"),
                               choices=_eurocities_choices("domain"))
    risk_category = forms.ChoiceField(
        label=_("catégorie de risque (règlement européen sur l’IA)"),
        choices=_eurocities_choices("risk_category"))
    proportionality = forms.CharField(
        label=_("proportionnalité"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Pourquoi l’algorithme est nécessaire et pourquoi ses bénéfices "
                    "l’emportent sur ses risques."))
    training_data = forms.CharField(
        label=_("données d’entraînement"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Données ayant servi à construire ou entraîner l’algorithme, et pourquoi ; "
                    "« aucune » pour des règles écrites à la main."))
    connected_data_sources = forms.CharField(
        label=_("connexions à des sources de données"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Registres de personnes ou autres bases interrogées par l’algorithme."))
    use_type = forms.ChoiceField(label=_("type d’usage (standard Eurocities)"),
                                 choices=_eurocities_choices("type"))
    parameters = JsonField(label=_("paramètres et pondérations (JSON)"), required=False,
                           help_text=_('Liste : [{"name": "revenus", "label": "Revenus", '
                                       '"type": "number", "weight": -0.5, "min": 0, "max": 5000, '
                                       '"unit": "€", "source": "avis d’imposition"}]'))
    extra = JsonField(label=_("autres attributs Eurocities (JSON)"), required=False)
    note = forms.CharField(label=_("note de révision (publique)"), max_length=500,
                           required=False)

    class Meta:
        model = Algorithm
        fields = ["organization", "name", "department", "contact_email", "description_short",
                  "description", "status", "purpose", "benefit", "decision_role",
                  "automation_level", "human_oversight", "people_affected", "yearly_volume",
                  "legal_basis", "data_sources", "datasets", "method", "operations",
                  "parameters", "decision_rule", "performance", "monitoring", "risks",
                  "mitigations", "impact_assessment", "redress", "code_url",
                  "documentation_url", "extra"]

    # form field → Eurocities attribute
    ASKED = {"area": "area", "domain": "domain", "risk_category": "risk_category",
             "proportionality": "proportionality", "training_data": "training_data",
             "connected_data_sources": "connected_data_sources", "use_type": "type"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        extra = self.instance.extra if self.instance.pk else {}
        for name, attr in self.ASKED.items():
            if extra.get(attr):
                self.initial.setdefault(name, extra[attr])
        # The JSON box holds the other attributes; the ones asked above are edited above.
        self.initial["extra"] = {k: v for k, v in extra.items() if k not in self.ASKED.values()}

    def clean_parameters(self) -> Any:
        return self.cleaned_data.get("parameters") or []

    def clean_extra(self) -> Any:
        value = self.cleaned_data.get("extra") or {}
        if not isinstance(value, dict):
            raise forms.ValidationError(_g("Un objet JSON est attendu."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        extra = dict(data.get("extra") or {})
        for name, attr in self.ASKED.items():
            value = data.pop(name, None)
            if value:
                extra[attr] = value
        data["extra"] = extra
        return data


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = ImpactAssessment
        fields = ["title", "context", "necessity", "dpo_opinion", "data_subjects_opinion",
                  "decision"]


class PiaUploadForm(forms.Form):
    processing_activity = forms.ModelChoiceField(queryset=ProcessingActivity.objects.none(),
                                                 label=_("traitement concerné"))
    file = forms.FileField(label=_("export JSON de l’outil PIA de la CNIL"))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = ProcessingActivity.objects.select_related("organization")
        if not is_spld_admin(user):
            qs = qs.filter(organization__memberships__user=user).distinct()
        self.fields["processing_activity"].queryset = qs

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_g("Fichier trop gros (5 Mo au plus)."))
        try:
            return json.loads(upload.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise forms.ValidationError(_g(
                "Ce fichier n’est pas du JSON : ce n’est pas un export de l’outil PIA.")) from exc


class ExplainForm(forms.Form):
    """One field per algorithm parameter."""

    def __init__(self, *args: Any, parameters: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for spec in parameters:
            label = spec.get("label") or spec["name"]
            help_text = " ".join(x for x in (spec.get("description", ""), spec.get("unit", ""))
                                 if x)
            if spec["type"] == "choice":
                field: forms.Field = forms.ChoiceField(
                    label=label, choices=[("", "—")] + [(c, c) for c in spec["choices"]],
                    required=False, help_text=help_text)
            elif spec["type"] == "boolean":
                field = forms.ChoiceField(label=label, choices=[("", "—"), ("oui", _("oui")),
                                                                ("non", _("non"))],
                                          required=False, help_text=help_text)
            else:
                field = forms.CharField(label=label, required=False, help_text=help_text,
                                        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
            self.fields[spec["name"]] = field


class DecimalCommaField(forms.FloatField):
    """A number typed with a decimal comma (French) or point."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace(",", ".").replace("\u202f", "").replace(" ", "")
        return super().to_python(value)


class IndicatorForm(forms.Form):
    """One measurement of a usage's indicator."""

    name = forms.CharField(label=_("indicateur"), max_length=200)
    unit = forms.CharField(label=_("unité"), max_length=50, required=False)
    date = forms.DateField(label=_("date de la mesure"), widget=DATE)
    value = DecimalCommaField(label=_("valeur"))
