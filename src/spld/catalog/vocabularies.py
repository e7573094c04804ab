"""Controlled vocabularies of DCAT-AP 3: EU data themes, frequencies, licences."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EU_THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"
EU_FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"

# EU "data-theme" authority table (the themes DCAT-AP 3 asks for).
THEMES: dict[str, object] = {
    "AGRI": _("Agriculture, pêche, sylviculture et alimentation"),
    "ECON": _("Économie et finances"),
    "EDUC": _("Éducation, culture et sport"),
    "ENER": _("Énergie"),
    "ENVI": _("Environnement"),
    "GOVE": _("Gouvernement et secteur public"),
    "HEAL": _("Santé"),
    "INTR": _("Questions internationales"),
    "JUST": _("Justice, système juridique et sécurité publique"),
    "REGI": _("Régions et villes"),
    "SOCI": _("Population et société"),
    "TECH": _("Science et technologie"),
    "TRAN": _("Transports"),
}

# EU "frequency" authority table (subset used by local producers).
FREQUENCIES: dict[str, object] = {
    "CONT": _("en continu"),
    "DAILY": _("quotidienne"),
    "WEEKLY": _("hebdomadaire"),
    "MONTHLY": _("mensuelle"),
    "QUARTERLY": _("trimestrielle"),
    "ANNUAL": _("annuelle"),
    "IRREG": _("irrégulière"),
    "NEVER": _("aucune mise à jour prévue"),
    "UNKNOWN": _("inconnue"),
}

# code → (label, URI, is_open)
LICENCES: dict[str, tuple[object, str, bool]] = {
    "etalab-2.0": (_("Licence Ouverte / Etalab 2.0"),
                   "https://www.etalab.gouv.fr/licence-ouverte-open-licence/", True),
    "odbl": (_("Open Database License (ODbL)"), "https://opendatacommons.org/licenses/odbl/1-0/",
             True),
    "cc-by-4.0": (_("Creative Commons Attribution 4.0"),
                  "https://creativecommons.org/licenses/by/4.0/", True),
    "cc0": (_("Creative Commons Zero (domaine public)"),
            "https://creativecommons.org/publicdomain/zero/1.0/", True),
    "shared": (_("Partagé entre signataires de la charte (non ouvert)"), "", False),
}

LICENCE_CHOICES = [(code, label) for code, (label, _uri, _open) in LICENCES.items()]
THEME_CHOICES = list(THEMES.items())
FREQUENCY_CHOICES = list(FREQUENCIES.items())
