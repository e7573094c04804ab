"""Forms of the catalogue (publishers' pages)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spld.catalog.models import Dataset
from spld.catalog.vocabularies import THEME_CHOICES


class DatasetForm(forms.ModelForm):
    """Describe a dataset: purpose, general interest and retention are mandatory."""

    themes = forms.MultipleChoiceField(label=_("Thèmes"), choices=THEME_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    keywords_text = forms.CharField(label=_("Mots-clés (séparés par des virgules)"),
                                    required=False, max_length=1000)
    spatial_text = forms.CharField(label=_("Communes couvertes (codes INSEE, séparés par des "
                                           "virgules)"), required=False, max_length=2000)
    schema_text = forms.CharField(label=_("Table Schema (JSON, facultatif)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    class Meta:
        model = Dataset
        fields = ["title", "description", "purpose", "general_interest", "retention_period",
                  "access_level", "licence", "frequency", "contact_point", "temporal_start",
                  "temporal_end", "conforms_to"]
        widgets = {"temporal_start": forms.DateInput(attrs={"type": "date"}),
                   "temporal_end": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 5}),
                   "purpose": forms.Textarea(attrs={"rows": 3}),
                   "general_interest": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("purpose", "general_interest", "retention_period"):
            self.fields[name].required = True
        if self.instance.pk:
            self.initial["themes"] = self.instance.themes
            self.initial["keywords_text"] = ", ".join(self.instance.keywords)
            self.initial["spatial_text"] = ", ".join(self.instance.spatial)
            if self.instance.schema:
                self.initial["schema_text"] = json.dumps(self.instance.schema, indent=1)

    def clean_schema_text(self) -> Any:
        raw = self.cleaned_data["schema_text"].strip()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("JSON invalide : {e}").format(e=exc)) from exc

    def service_fields(self) -> dict[str, Any]:
        """Cleaned values in the shape the services take."""
        data = {k: self.cleaned_data[k] for k in self.Meta.fields if k != "title"}
        data["themes"] = self.cleaned_data["themes"]
        data["keywords"] = [k.strip() for k in self.cleaned_data["keywords_text"].split(",")
                            if k.strip()]
        data["spatial"] = [c.strip() for c in self.cleaned_data["spatial_text"].split(",")
                           if c.strip()]
        data["schema"] = self.cleaned_data["schema_text"]
        return data


class VersionForm(forms.Form):
    """A new version of an existing resource: a file to send, or a remote address to fetch."""

    file = forms.FileField(label=_("Fichier (CSV, TSV, XLSX, ODS, JSON, GeoJSON, Parquet)"),
                           required=False)
    url = forms.URLField(label=_("Ou adresse d’un fichier distant"), required=False,
                         max_length=1000, assume_scheme="https")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not data.get("url"):
            raise forms.ValidationError(_("Envoyez un fichier ou indiquez une adresse."))
        return data


class ResourceForm(VersionForm):
    """A new resource: a title, and its first version's file or remote address."""

    title = forms.CharField(label=_("Titre de la ressource"), max_length=250)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["title", "description", "file", "url"]
