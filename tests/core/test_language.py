"""French grammar and per-language formatting helpers, and pages that had a language defect."""

from pathlib import Path

import polib
import pytest
from django.template import Context, Template
from django.utils import translation

from spld.catalog.templatetags.catalog import cell, type_label
from spld.core.french import of

LOCALE = Path(__file__).resolve().parents[2] / "src/spld/locale"


def _render(source: str, **context) -> str:
    return Template("{% load i18n spld %}" + source).render(Context(context))


@pytest.mark.parametrize("n,french,english", [
    (0, "0 organisation", "0 organisations"),
    (1, "1 organisation", "1 organisation"),
    (2, "2 organisations", "2 organisations"),
])
def test_french_plural_rule_says_singular_for_zero(n, french, english):
    source = ("{% blocktranslate count n=n %}{{ n }} organisation{% plural %}"
              "{{ n }} organisations{% endblocktranslate %}")
    with translation.override("fr"):
        assert _render(source, n=n) == french
    with translation.override("en"):
        assert _render(source, n=n) == english


def test_french_plural_catalogue_follows_the_english_one():
    # `make messages` rebuilds it (spld frenchplurals); a plural missing here says "0 traitements".
    english = {e.msgid for e in polib.pofile(str(LOCALE / "en/LC_MESSAGES/django.po"))
               if e.msgid_plural}
    french = polib.pofile(str(LOCALE / "fr/LC_MESSAGES/django.po"))
    assert english == {e.msgid for e in french if e.msgid_plural}
    assert french.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert {e.msgid for e in polib.mofile(str(LOCALE / "fr/LC_MESSAGES/django.mo"))
            if e.msgid} == english


def test_de_elides_before_a_vowel_in_french_only():
    with translation.override("fr"):
        assert of("Eau du Ponant") == "d’Eau du Ponant"
        assert of("Énergies") == "d’Énergies"
        assert of("Brest métropole") == "de Brest métropole"
        assert _render("{{ o|de }}", o="Opérateur du réseau Bibus") == "d’Opérateur du réseau Bibus"
    with translation.override("en"):
        assert of("Eau du Ponant") == "Eau du Ponant"


def test_data_values_read_per_language():
    with translation.override("fr"):
        assert (cell(True), cell(False), cell(None)) == ("oui", "non", "")
        assert cell("27.2", "number") == "27,2"
        assert cell("2024-01-01T05:00:00") == "01/01/2024 05:00"
        assert cell("29011", "string") == "29011"  # codes untouched
        assert type_label("integer") == "nombre entier"
        assert _render("{{ n|num }}", n=1_200_000) == "1\xa0200\xa0000"
    with translation.override("en"):
        assert (cell(True), cell(False)) == ("yes", "no")
        assert cell("27.2", "number") == "27.2"
        assert type_label("integer") == "whole number"
        assert _render("{{ n|num }}", n=1_200_000) == "1,200,000"


@pytest.mark.django_db
def test_api_docs_page_declares_its_language(client):
    body = client.get("/api/1/docs").content.decode()
    assert '<html lang="fr">' in body


@pytest.mark.django_db
def test_transparency_hub_promises_no_missing_cards(client):
    body = client.get("/transparence/").content.decode()
    assert "bientôt" not in body
    assert "coming soon" not in client.get("/en/transparence/").content.decode()


@pytest.mark.parametrize("n,sentence", [
    (0, "Aucun jeu de données n’a été publié."),
    (1, "1 jeu de données a été publié."),
    (3, "3 jeux de données ont été publiés."),
])
def test_annual_report_prose_agrees_with_its_numbers(n, sentence):
    from spld.charter.report import prose

    facts = {"year": 2026, "new_signatories": [], "alerts": {"total": n}, "remediations": [],
             "exclusions": [], "evaluations": n, "datasets_published": n, "indicators": []}
    lines = prose(facts)
    assert sentence in lines
    assert not any(line.startswith("0 ") or "(s)" in line for line in lines), lines
    if n == 0:
        assert "Nous n’avons reçu aucune auto-évaluation pour cette année." in lines
