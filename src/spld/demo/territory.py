"""The demo territory: Brest métropole, its communes and partners (real names, synthetic data)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.utils.text import slugify

COMMUNES: dict[str, str] = {
    "29011": "Bohars",
    "29019": "Brest",
    "29061": "Gouesnou",
    "29069": "Guilers",
    "29075": "Guipavas",
    "29189": "Plougastel-Daoulas",
    "29212": "Plouzané",
    "29235": "Le Relecq-Kerhuon",
}
METROPOLIS = list(COMMUNES)


def synthetic_siren(seed: str) -> str:
    """A deterministic, checksum-valid but fictitious SIREN (the demo invents identifiers)."""
    digits = [int(c) for c in str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:8]]
    digits[0] = digits[0] or 9
    for check in range(10):
        candidate = [*digits, check]
        total = 0
        for i, d in enumerate(reversed(candidate)):
            d = d * 2 if i % 2 else d
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return "".join(map(str, candidate))
    raise AssertionError("unreachable: one check digit always fits")


@dataclass(frozen=True)
class DemoOrganization:
    slug: str
    name: str
    kind: str
    description: str
    territory: list[str] = field(default_factory=lambda: list(METROPOLIS))
    website: str = ""


def _commune(code: str, name: str) -> DemoOrganization:
    article = "Ville de" if code == "29019" else "Commune de"
    slug = "ville-de-brest" if code == "29019" else slugify(f"commune {name}")
    return DemoOrganization(
        slug=slug,
        name=f"{article} {name}",
        kind="local_authority",
        description=f"Commune de Brest métropole (code INSEE {code}).",
        territory=[code],
    )


ORGANIZATIONS: list[DemoOrganization] = [
    DemoOrganization(
        "brest-metropole",
        "Brest métropole",
        "local_authority",
        "Métropole de 8 communes, porteuse du service public local de la donnée.",
    ),
    *[_commune(code, name) for code, name in COMMUNES.items()],
    DemoOrganization(
        "departement-finistere",
        "Département du Finistère",
        "local_authority",
        "Collectivité partenaire : action sociale, routes, collèges.",
    ),
    DemoOrganization(
        "morlaix-communaute",
        "Morlaix Communauté",
        "local_authority",
        "Agglomération partenaire de l’ouest breton.",
        territory=[],
    ),
    DemoOrganization(
        "lannion-tregor",
        "Lannion-Trégor Communauté",
        "local_authority",
        "Agglomération partenaire de l’ouest breton.",
        territory=[],
    ),
    DemoOrganization(
        "quimper-bretagne-occidentale",
        "Quimper Bretagne Occidentale",
        "local_authority",
        "Agglomération partenaire de l’ouest breton.",
        territory=[],
    ),
    DemoOrganization(
        "eau-du-ponant",
        "Eau du Ponant",
        "public_company",
        "Société publique locale de l’eau et de l’assainissement.",
    ),
    DemoOrganization(
        "sotraval",
        "Sotraval",
        "public_company",
        "Société d’économie mixte de traitement et de valorisation des déchets.",
    ),
    DemoOrganization(
        "brest-aim",
        "Brest’aim",
        "public_company",
        "Société d’économie mixte qui gère des équipements de loisirs et de culture.",
    ),
    DemoOrganization(
        "brest-metropole-habitat",
        "Brest Métropole Habitat",
        "public_company",
        "Office public de l’habitat : logement social.",
    ),
    DemoOrganization(
        "brest-metropole-amenagement",
        "Brest Métropole Aménagement",
        "public_company",
        "Société d’aménagement urbain de la métropole.",
    ),
    DemoOrganization(
        "sempi", "SEMPI", "public_company", "Société d’économie mixte du pays d’Iroise."
    ),
    DemoOrganization(
        "adeupa",
        "Adeupa",
        "association",
        "Agence d’urbanisme de Brest-Bretagne : observation et études.",
    ),
    DemoOrganization(
        "operateur-bibus",
        "Opérateur du réseau Bibus",
        "delegated_operator",
        "Délégataire du service public de transport (bus, tramway, téléphérique).",
    ),
    DemoOrganization(
        "ubo",
        "Université de Bretagne Occidentale",
        "research_health",
        "Université : recherche et formation.",
    ),
    DemoOrganization(
        "chru-brest",
        "CHRU de Brest",
        "research_health",
        "Centre hospitalier régional universitaire.",
    ),
    DemoOrganization(
        "banque-regionale",
        "Banque coopérative régionale (fictive)",
        "private_company",
        "Banque régionale partenaire (nom fictif pour la démo).",
    ),
    DemoOrganization(
        "maison-du-numerique",
        "Maison du numérique (association fictive)",
        "association",
        "Association de médiation numérique (fictive pour la démo).",
    ),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    display_name: str
    role_label: str
    superuser: bool = False
    committee: bool = False
    memberships: tuple[tuple[str, str], ...] = ()


DEMO_PASSWORD = "demo-spld-2026"  # noqa: S105  (demo accounts only, printed at start)

USERS: list[DemoUser] = [
    DemoUser("admin@spld.example", "Équipe SPLD", "administrateur SPLD", superuser=True),
    DemoUser("comite@spld.example", "Camille Comité", "membre du comité d’éthique", committee=True),
    DemoUser(
        "admin@brest-metropole.example",
        "Admin Brest métropole",
        "administrateur de Brest métropole",
        memberships=(("brest-metropole", "org_admin"),),
    ),
    DemoUser(
        "dpo@brest-metropole.example",
        "DPO Brest métropole",
        "DPO de Brest métropole",
        memberships=(("brest-metropole", "dpo"),),
    ),
    DemoUser(
        "editeur@eau-du-ponant.example",
        "Éditeur Eau du Ponant",
        "éditeur pour Eau du Ponant",
        memberships=(("eau-du-ponant", "editor"),),
    ),
    DemoUser("habitant@spld.example", "Alex Habitant", "habitant (citoyen)"),
]
