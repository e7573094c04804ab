"""Validators for French identifiers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.fr import siren

INSEE_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def validate_siren(value: str) -> None:
    """A SIREN has 9 digits and a valid Luhn checksum."""
    compact = siren.compact(value or "")
    if not compact.isdigit() or len(compact) != 9:
        raise ValidationError(_("Un SIREN compte 9 chiffres."), code="siren_length")
    if not siren.is_valid(compact):
        raise ValidationError(
            _("Ce SIREN n’est pas valide (la clé de contrôle ne correspond pas)."),
            code="siren_checksum",
        )


def validate_insee_codes(value: list[str]) -> None:
    """Territory: a list of INSEE commune codes (5 characters, Corsica 2A/2B)."""
    if not isinstance(value, list):
        raise ValidationError(_("Le territoire est une liste de codes INSEE."))
    bad = [code for code in value if not isinstance(code, str) or not INSEE_COMMUNE.match(code)]
    if bad:
        raise ValidationError(
            _("Codes INSEE de commune invalides : {codes}.").format(codes=", ".join(map(str, bad)))
        )
