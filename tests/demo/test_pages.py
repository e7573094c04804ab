"""The demo's pages as a visitor, the demo citizen and an editor read them, in French and English.

One crawl (the demo takes a while to load) and several readings of it: French grammar
(elision, agreement, no "(s)"), English pages free of French, no Python repr, numbers with
thousands separators, and ids unique on every page.
"""

from __future__ import annotations

import re
from collections import Counter

import pypdfium2
import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

from spld.accounts.models import User
from spld.catalog import demo as catalog_demo
from spld.charter.models import AnnualReport
from spld.demo.services import load_demo
from spld.rights.models import Receipt
from tests.demo.crawl import demo_pages, read

pytestmark = pytest.mark.django_db

V = "aeiouyàâäéèêëîïôöûüAEIOUYÀÂÉÈÊÎÔ"
FRENCH = {
    # "Demande de accès", "Membres de Eau du Ponant": French elides before a vowel.
    "de + voyelle": re.compile(rf"\b[Dd]e [{V}][\w’']+"),
    "que/le/la/ne/se/je + voyelle": re.compile(
        rf"(?<![-\w])(?:[Qq]ue|[Ll]e|[Ll]a|[Nn]e|[Ss]e|[Jj]e) [{V}]\w+"),
    # "3 organisation(s)": ngettext says it properly.
    "(s)": re.compile(r"\w\((?:s|e|es|x|nt)\)"),
    # French uses the singular for 0 and 1; a number above 1 takes the plural.
    "0/1 + pluriel": re.compile(
        r"(?<![\d,.\u202f\xa0 ])[01] (?:organisations|jeux|entrées|lignes|étapes|traitements|"
        r"demandes|éléments|usages|erreurs|reçus|valeurs|colonnes|partages|algorithmes|"
        r"alertes|signataires|consentements|analyses|ressources|versions)\b"),
    "n > 1 + singulier": re.compile(
        r"\b(?:[2-9]|[1-9]\d+) (?:organisation|jeu|entrée|ligne|étape|traitement|demande|élément|"
        r"usage|erreur|reçu|valeur|colonne|partage|algorithme|alerte|signataire)\b(?! d)"),
}
EVERYWHERE = {
    "repr Python": re.compile(r"(?<![\w\"'])(?:True|False|None)(?![\w\"'])"),
    # 1200000 lignes → "1 200 000 lignes" (fr), "1,200,000 rows" (en).
    "nombre sans séparateur": re.compile(
        r"\b\d{5,} (?:lignes|rows|entrées|entries|éléments|items)\b"),
}
ENGLISH = {
    "date à l’heure": re.compile(r"\d{4} à \d"),
    "mois en français": re.compile(
        r"\b\d{1,2} (?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
        r"novembre|décembre)\b"),
    "Reçu": re.compile(r"\bReçu\b|\bDemande d[e’]"),
    # A label of the page itself ("Status :"), not a French text quoted in it.
    "deux-points à la française": re.compile(r"^[A-Z][a-z ]+ :$"),
    "deux-points après une date": re.compile(r"\b\d{1,2} [A-Z][a-z]+ \d{4} : "),
}


@pytest.fixture
def pages(monkeypatch):
    monkeypatch.setattr(catalog_demo, "BIG_ROWS", 12_345)  # real demo: 1.2 million rows
    load_demo()
    return demo_pages(Client, editors=True)


# French texts that are records' content, not the interface: a demo account's name, the
# notes written into signed register revisions when they were published.
CONTENT = {"Équipe SPLD", "Première publication.", "Analyse validée.", "Candidature déposée."}
# A published annual report is a frozen document: its facts keep the labels of its day.
FROZEN = ("/en/charte/rapports/",)


def _untranslated_french() -> set[str]:
    """French UI sentences of the catalogue whose English differs: on /en/ they are leftovers."""
    with translation.override("en"):
        catalog = trans_real.translation("en")._catalog  # noqa: SLF001
        return {k for k, v in catalog.items()
                if isinstance(k, str) and " " in k and v != k and "%" not in k
                and "{" not in k} - CONTENT


def test_demo_pages_read_well(pages):
    assert len(pages) > 100, len(pages)
    french_ui = _untranslated_french()
    problems: Counter[str] = Counter()
    for (who, path), body in pages.items():
        page = read(body)
        english = path.startswith("/en/")
        duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
        if duplicates:
            problems[f"{who} {path}: ids en double {duplicates[:5]}"] += 1
        rules = {**FRENCH, **EVERYWHERE, **(ENGLISH if english else {})}
        for text in page.text:
            for name, rule in rules.items():
                for found in rule.findall(text):
                    problems[f"{name}: « {found} » dans « {text[:90]} » ({path})"] += 1
            if english and text in french_ui and not path.startswith(FROZEN):
                problems[f"français sous /en/ : « {text[:90]} » ({path})"] += 1
    # 12345 rows: grouped the French way and the English way.
    bus = "donnees/validations-bibus-par-arret-et-heure/"
    if not re.search(r"12[\u202f\xa0 ]345 lignes", Client().get(f"/{bus}").content.decode()):
        problems["« 12 345 lignes » absent de la page du jeu Bibus"] += 1
    if "12,345 rows" not in Client().get(f"/en/{bus}").content.decode():
        problems["« 12,345 rows » absent de la page anglaise du jeu Bibus"] += 1
    problems.update(_pdf_problems())
    assert not problems, "\n".join(sorted(problems))


def _pdf_text(data: bytes) -> list[str]:
    """The lines of every page of a PDF, read with PDFium."""
    document = pypdfium2.PdfDocument(data)
    try:
        return [line.strip() for page in document
                for line in page.get_textpage().get_text_range().splitlines() if line.strip()]
    finally:
        document.close()


def _pdf_problems() -> Counter[str]:
    """The same French rules over the PDFs people download: receipts and annual reports."""
    client = Client()
    client.force_login(User.objects.get(email="habitant@spld.example"))
    pdfs = {f"/compte/donnees/recus/{r.uid}/recu.pdf": r for r in
            Receipt.objects.filter(user__email="habitant@spld.example")}
    pdfs.update({f"/charte/rapports/{r.year}.pdf": r for r in AnnualReport.objects.all()
                 if r.pdf})
    assert any("recu.pdf" in path for path in pdfs), "the demo citizen has no receipt"
    assert any("rapports" in path for path in pdfs), "the demo has no annual report PDF"
    problems: Counter[str] = Counter()
    for path in pdfs:
        response = client.get(path)
        assert response.status_code == 200, path
        data = b"".join(response.streaming_content) if response.streaming else response.content
        lines = _pdf_text(data)
        assert lines, f"no text read from {path}"
        for line in lines:
            for name, rule in {**FRENCH, **EVERYWHERE}.items():
                for found in rule.findall(line):
                    problems[f"PDF {name}: « {found} » dans « {line[:90]} » ({path})"] += 1
    return problems
