"""Forms to register and edit organisations."""

from django import forms
from django.utils.translation import gettext_lazy as _

from spld.organizations.models import Organization
from spld.organizations.validators import validate_insee_codes


class OrganizationForm(forms.ModelForm):
    """Public description of an organisation; the territory is typed as comma-separated codes."""

    website = forms.URLField(label=_("site web"), required=False, assume_scheme="https")
    territory_codes = forms.CharField(
        label=_("Territoire : codes INSEE des communes, séparés par des virgules"),
        required=False,
        max_length=2000,
    )

    class Meta:
        model = Organization
        fields = ["name", "siren", "kind", "description", "website", "dpo_contact"]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["territory_codes"].initial = ", ".join(self.instance.territory)

    def clean_territory_codes(self) -> list[str]:
        codes = [
            c.strip().upper() for c in self.cleaned_data["territory_codes"].split(",") if c.strip()
        ]
        validate_insee_codes(codes)
        return codes

    def changes(self) -> dict[str, object]:
        """Fields to hand to the service."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["territory"] = self.cleaned_data["territory_codes"]
        return data
