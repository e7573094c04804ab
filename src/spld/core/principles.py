"""The charter's 11 principles, in short, for the public pages (our own wording)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Principle:
    """One principle of the ethical data charter."""

    number: int
    slug: str
    title: Promise
    summary: Promise


PRINCIPLES: tuple[Principle, ...] = (
    Principle(
        1,
        "perimetre",
        _("Qui s’engage"),
        _(
            "La métropole, ses communes, les collectivités partenaires, leurs prestataires, "
            "les entreprises qui utilisent des données publiques et les associations peuvent "
            "signer. La charte peut être jointe aux marchés et délégations de service public."
        ),
    ),
    Principle(
        2,
        "engagements",
        _("Un engagement vérifié"),
        _(
            "Avant de signer, chaque organisation montre qu’elle peut tenir ses promesses. "
            "Ensuite, elle est évaluée régulièrement. En cas de manquement, des alertes "
            "précèdent une éventuelle exclusion."
        ),
    ),
    Principle(
        3,
        "gouvernance",
        _("Un comité qui veille"),
        _(
            "Un comité aux regards variés suit l’application de la charte et publie chaque "
            "année un bilan public avec ses recommandations."
        ),
    ),
    Principle(
        4,
        "mediation",
        _("Comprendre la donnée"),
        _(
            "Des ateliers et une aide permanente permettent à chacun de comprendre ce que sont "
            "les données et comment protéger les siennes."
        ),
    ),
    Principle(
        5,
        "citoyens",
        _("Les habitants ont leur mot à dire"),
        _("Les habitants sont consultés chaque fois que la charte évolue."),
    ),
    Principle(
        6,
        "reglementation",
        _("Respecter la loi, et le montrer"),
        _(
            "Le RGPD et le droit français s’appliquent sans exception. Les analyses d’impact "
            "des traitements de données personnelles à grande échelle sont publiées."
        ),
    ),
    Principle(
        7,
        "ouverture",
        _("Ouvrir les données publiques"),
        _(
            "Les données produites pour le service public sont publiées en données ouvertes, "
            "dans des formats libres et réutilisables."
        ),
    ),
    Principle(
        8,
        "tracabilite",
        _("Savoir qui fait quoi des données"),
        _(
            "La liste des données mises à disposition, de leurs producteurs signataires et des "
            "usages qui en sont faits est publique."
        ),
    ),
    Principle(
        9,
        "explicabilite",
        _("Des algorithmes expliqués"),
        _(
            "Aucun algorithme d’intérêt général n’est une boîte noire : chacun est décrit pour "
            "qu’on puisse expliquer ce qui a guidé une décision."
        ),
    ),
    Principle(
        10,
        "interoperabilite",
        _("Des formats communs"),
        _(
            "Les signataires adoptent des formats et des standards qui permettent à d’autres "
            "de réutiliser leurs données."
        ),
    ),
    Principle(
        11,
        "sobriete",
        _("La sobriété numérique"),
        _(
            "Ne collecter, garder et traiter que les données nécessaires, limiter l’empreinte "
            "écologique et réévaluer régulièrement ce qu’elle coûte au regard des résultats."
        ),
    ),
)
