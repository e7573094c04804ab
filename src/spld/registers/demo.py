"""Demo content of the registers and the lineage (synthetic, deterministic, idempotent)."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps

from spld.core.permissions import TokenActor
from spld.registers import services
from spld.registers.models import Algorithm, DataFlow, ProcessingActivity, Usage

DPV = "https://w3id.org/dpv#"
PD = "https://w3id.org/dpv/pd#"
GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
NS = uuid.UUID("5f0c1d2e-3a4b-4c5d-8e6f-700000000005")
PIA_FILE = Path(__file__).parent / "demo_data" / "pia-cotation-logement-social.json"


@dataclass(frozen=True)
class OrgActor:
    """Someone acting for an organisation with given roles (the demo has no user for each)."""

    organization: Any
    roles: frozenset[str] = frozenset({"editor"})
    is_authenticated: bool = True
    is_superuser: bool = False
    is_committee_member: bool = False

    def roles_for(self, organization: Any) -> set[str]:
        if organization is not None and organization.pk == self.organization.pk:
            return set(self.roles)
        return set()


def _datasets(*slugs: str) -> list[Any]:
    Dataset = apps.get_model("catalog", "Dataset")  # noqa: N806
    return list(Dataset.objects.filter(slug__in=slugs))


def _activity(org: Any, name: str, **fields: Any) -> ProcessingActivity:
    found = ProcessingActivity.objects.filter(organization=org, name=name).first()
    return found or services.create_processing_activity(
        actor=OrgActor(org), organization=org, name=name, **fields)


def load(admin: Any, progress: Callable[[str], None]) -> None:
    """Processing activities, flows, usages, algorithms, two published DPIAs, lineage runs."""
    Organization = apps.get_model("organizations", "Organization")  # noqa: N806
    orgs = {o.slug: o for o in Organization.objects.all()}
    needed = ["brest-metropole", "ville-de-brest", "eau-du-ponant", "sotraval", "adeupa",
              "brest-metropole-habitat", "operateur-bibus", "departement-finistere", "ubo",
              "chru-brest"]
    if any(slug not in orgs for slug in needed):
        progress("registres : organisations de démonstration absentes, rien à faire")
        return
    canteen = _activity(
        orgs["ville-de-brest"], "Inscriptions et réservations à la restauration scolaire",
        description="Nous enregistrons les enfants inscrits à la cantine, leurs jours de "
        "présence et le tarif de la famille, pour préparer les repas et facturer.",
        purposes=[DPV + "ServiceProvision", DPV + "PaymentManagement"],
        legal_basis=GDPR + "A6-1-e", legal_text="Code de l’éducation, art. L131-13",
        data_categories=[PD + "Name", PD + "Contact", PD + "FamilyStructure", PD + "Income",
                         PD + "Preference"],
        data_subjects=["enfants scolarisés", "parents ou responsables légaux"],
        retention="Durée de la scolarité en école élémentaire, puis 1 an",
        security_measures="Accès par profil ; sauvegardes chiffrées.",
        processors="Éditeur du logiciel de réservation (hébergement en France)",
        dpia_required=False,
        dpia_reason="Données peu sensibles, pas de profilage : aucun critère de la liste de la "
        "CNIL n’est rempli.", status="active", start_date=datetime.date(2022, 9, 1),
    )
    housing = _activity(
        orgs["brest-metropole-habitat"], "Cotation des demandes de logement social",
        description="Chaque demande de logement social reçoit des points selon une grille "
        "publique ; la commission d’attribution examine les dossiers et décide.",
        purposes=[DPV + "ServiceProvision", DPV + "PublicBenefit"],
        legal_basis=GDPR + "A6-1-e",
        legal_text="Code de la construction et de l’habitation (cotation de la demande)",
        data_categories=[PD + "Identifying", PD + "Income", PD + "FamilyStructure",
                         PD + "Disability", PD + "SocialStatus"],
        data_subjects=["demandeurs de logement social", "membres de leur foyer"],
        recipient_organizations=[orgs["departement-finistere"]],
        other_recipients="Membres de la commission d’attribution",
        retention="Durée de la demande, puis 1 an après l’attribution ou la radiation",
        security_measures="Accès nominatifs journalisés ; revue trimestrielle des droits.",
        dpia_required=True,
        dpia_reason="Évaluation de personnes vulnérables et données de handicap.",
        start_date=datetime.date(2027, 1, 4),
    )
    water = _activity(
        orgs["eau-du-ponant"], "Télérelève des compteurs d’eau et détection des fuites",
        description="Les compteurs transmettent chaque jour un index ; nous repérons les "
        "consommations anormales pour prévenir les abonnés d’une fuite et facturer au réel.",
        purposes=[DPV + "ServiceProvision", DPV + "ServiceOptimisation",
                  DPV + "PaymentManagement"],
        legal_basis=GDPR + "A6-1-e",
        legal_text="Code général des collectivités territoriales, art. L2224-12-4",
        data_categories=[PD + "Name", PD + "PhysicalAddress",
                         PD + "ServiceConsumptionBehaviour", PD + "Financial"],
        data_subjects=["abonnés du service de l’eau"],
        retention="Index journaliers : 1 an ; factures : 5 ans",
        security_measures="Chiffrement radio ; séparation des index et de l’identité.",
        processors="Opérateur de télérelève (hébergement en France)",
        datasets_produced=_datasets("consommation-eau-par-iris"),
        dpia_required=True,
        dpia_reason="Collecte systématique de données de consommation à pas fin (liste CNIL).",
        start_date=datetime.date(2027, 3, 1),
    )
    _activity(
        orgs["operateur-bibus"], "Billettique et validations du réseau Bibus",
        description="Nous gérons les abonnements et enregistrons les validations des titres ; "
        "les statistiques transmises à la métropole sont agrégées par arrêt et par heure.",
        purposes=[DPV + "ServiceProvision", DPV + "PaymentManagement",
                  DPV + "ServiceUsageAnalytics"],
        legal_basis=GDPR + "A6-1-b", legal_text="Contrat de délégation de service public",
        data_categories=[PD + "Name", PD + "Contact", PD + "TravelHistory"],
        data_subjects=["abonnés", "voyageurs"], joint_controllers=[orgs["brest-metropole"]],
        retention="Validations nominatives : 48 heures, puis anonymisées",
        security_measures="Pseudonymisation à la validation.",
        datasets_produced=_datasets("validations-bibus-par-arret-et-heure"),
        dpia_required=False, dpia_reason="Validations anonymisées sous 48 heures.",
        status="active", start_date=datetime.date(2019, 1, 1),
    )
    progress("registres : 4 traitements")
    _assessments(orgs, housing, water)
    _flows(orgs)
    algorithms = _algorithms(orgs, housing)
    runs = _lineage(orgs, admin)
    _usages(orgs, canteen, housing, water, algorithms, runs)
    progress("registres : partages, algorithmes, usages, analyses d’impact et lignage")


def _assessments(orgs: dict[str, Any], housing: ProcessingActivity,
                 water: ProcessingActivity) -> None:
    if not housing.impact_assessments.exists():
        bmh = orgs["brest-metropole-habitat"]
        assessment = services.import_pia(actor=OrgActor(bmh), processing_activity=housing,
                                         document=json.loads(PIA_FILE.read_text("utf-8")))
        dpo = OrgActor(bmh, frozenset({"dpo"}))
        services.review_impact_assessment(actor=dpo, assessment=assessment)
        services.publish_impact_assessment(actor=dpo, assessment=assessment)
    if not water.impact_assessments.exists():
        edp = orgs["eau-du-ponant"]
        assessment = services.create_impact_assessment(
            actor=OrgActor(edp), processing_activity=water,
            title="Télérelève des compteurs d’eau",
            context="Généralisation de la télérelève à 110 000 compteurs de la métropole : un "
            "index par jour et par compteur, transmis par radio.",
            necessity="L’index journalier suffit pour repérer une fuite (consommation "
            "nocturne continue) ; aucun index horaire n’est collecté sans l’accord de l’abonné.",
            risks=[{"name": "Déduire les habitudes de vie d’un foyer", "severity": 2,
                    "likelihood": 2, "impacts": ["Atteinte à la vie privée"],
                    "threats": ["Accès non autorisé aux index"]},
                   {"name": "Facture erronée", "severity": 2, "likelihood": 1,
                    "impacts": ["Désagrément financier"], "threats": ["Erreur de transmission"]}],
            measures=[{"title": "Minimisation", "content": "Un index par jour seulement."},
                      {"title": "Séparation", "content": "Index et identité stockés à part."}],
            dpo_opinion="Avis favorable.",
            data_subjects_opinion="Le comité des usagers de l’eau a été consulté : il demande "
            "une alerte fuite gratuite, ce qui est prévu.",
            decision="Mise en œuvre autorisée le 1er mars 2027.",
        )
        dpo = OrgActor(edp, frozenset({"dpo"}))
        services.review_impact_assessment(actor=dpo, assessment=assessment)
        services.publish_impact_assessment(actor=dpo, assessment=assessment)


def _flows(orgs: dict[str, Any]) -> None:
    specs = [
        ("operateur-bibus", "brest-metropole", ["validations-bibus-par-arret-et-heure"],
         "Suivre la fréquentation et planifier le réseau de transport.", "delegation",
         "Contrat de délégation du service public de transport, annexe données", "monthly"),
        ("eau-du-ponant", "brest-metropole", ["consommation-eau-par-iris"],
         "Suivre les consommations d’eau par quartier pour le plan climat.", "convention",
         "Convention de partage de données 2025-03", "monthly"),
        ("sotraval", "brest-metropole", ["tonnages-dechets-par-commune"],
         "Piloter la prévention et la collecte des déchets.", "contract",
         "Contrat de traitement des déchets, article données", "monthly"),
        ("brest-metropole", "operateur-bibus", ["comptages-velo"],
         "Étudier les déplacements combinant vélo et transport en commun.", "convention",
         "Convention mobilité 2025-11", "daily"),
        ("brest-metropole", "adeupa", ["comptages-velo"],
         "Observatoire des déplacements de l’agence d’urbanisme.", "convention",
         "Convention d’observation 2024-07", "yearly"),
        ("chru-brest", "ubo", ["passages-urgences"],
         "Recherche sur l’engorgement des urgences en période épidémique.", "convention",
         "Convention de recherche CHRU–UBO 2025-02", "monthly"),
    ]
    for src, dst, slugs, purpose, ground, reference, frequency in specs:
        if DataFlow.objects.filter(organization=orgs[src], reference=reference).exists():
            continue
        services.create_data_flow(
            actor=OrgActor(orgs[src]), organization=orgs[src], recipient=orgs[dst],
            datasets=[d for d in _datasets(*slugs) if d.publisher_id == orgs[src].pk],
            purpose=purpose, ground=ground, reference=reference, frequency=frequency,
            start_date=datetime.date(2025, 1, 1))
    bmh = orgs["brest-metropole-habitat"]
    if not DataFlow.objects.filter(organization=bmh).exists():
        services.create_data_flow(
            actor=OrgActor(bmh), organization=bmh, recipient=orgs["departement-finistere"],
            data_categories=[PD + "Identifying", PD + "Income", PD + "FamilyStructure"],
            data_description="Dossiers des demandeurs relevant du plan départemental "
            "d’action pour le logement des personnes défavorisées.",
            purpose="Examiner ensemble les demandes prioritaires.", ground="law",
            reference="Plan départemental d’action pour le logement (PDALHPD)",
            frequency="on_demand", start_date=datetime.date(2024, 1, 1))


def _eurocities(domain: str, risk: str, use: str, *, proportionality: str, training_data: str,
                connected: str) -> dict[str, str]:
    """The Eurocities attributes a demo algorithm's register form asks for."""
    return {"area": "Brest métropole", "domain": domain, "risk_category": risk, "type": use,
            "proportionality": proportionality, "training_data": training_data,
            "connected_data_sources": connected}


def _algorithms(orgs: dict[str, Any], housing: ProcessingActivity) -> dict[str, Algorithm]:
    out = {}
    bmh = orgs["brest-metropole-habitat"]
    found = Algorithm.objects.filter(organization=bmh).first()
    if found is None:
        params = [
            {"name": "anciennete", "label": "Ancienneté de la demande", "type": "number",
             "weight": 1, "min": 0, "max": 120, "unit": "mois",
             "source": "Système national d’enregistrement"},
            {"name": "ressources", "label": "Ressources mensuelles par unité de consommation",
             "type": "choice", "choices": {"moins de 500 €": 40, "de 500 à 900 €": 25,
                                           "de 900 à 1 400 €": 10, "plus de 1 400 €": 0},
             "source": "Avis d’imposition"},
            {"name": "situation", "label": "Situation de logement actuelle", "type": "choice",
             "choices": {"sans logement": 50, "logement indigne": 40,
                         "hébergé chez un tiers": 35, "locataire du parc privé": 10,
                         "locataire HLM (mutation)": 5}, "source": "Formulaire de demande"},
            {"name": "handicap", "label": "Handicap dans le foyer", "type": "boolean",
             "weight": 30, "source": "Justificatif (carte mobilité inclusion)"},
            {"name": "enfants", "label": "Enfants à charge", "type": "number", "weight": 5,
             "min": 0, "max": 10, "source": "Livret de famille"},
        ]
        common = dict(
            name="Cotation de la demande de logement social",
            department="Service des attributions", contact_email="attributions@bmh.example",
            description_short="Attribue des points à chaque demande de logement social selon "
            "une grille publique.",
            description="Le score aide la commission d’attribution à examiner les dossiers "
            "dans le même ordre pour tous. Il ne décide pas : la commission attribue.",
            status="planned", purpose="Classer les demandes de logement social pour leur "
            "examen en commission d’attribution",
            benefit="Des décisions plus égales et plus faciles à expliquer.",
            decision_role="recommends",
            automation_level="Le score est calculé automatiquement à chaque mise à jour du "
            "dossier.", human_oversight="La commission d’attribution examine les dossiers, "
            "peut s’écarter du score et motive sa décision.",
            people_affected="Demandeurs de logement social de la métropole",
            yearly_volume=9000, legal_basis="Code de la construction et de l’habitation",
            data_sources="Formulaire de demande, système national d’enregistrement, "
            "justificatifs fournis par le demandeur.",
            method="rules", operations="Somme des points de chaque critère selon la grille.",
            decision_rule="Les dossiers sont présentés à la commission par score décroissant, "
            "trois par logement.", monitoring="Bilan annuel publié, par âge et par commune.",
            risks="Désavantager les jeunes (ancienneté) ou les personnes seules.",
            mitigations="Bilan annuel des écarts ; révision de la grille avec les "
            "associations de locataires.",
            redress="Recours gracieux auprès de la commission ; saisine du médiateur ; "
            "tribunal administratif.",
            impact_assessment=housing.impact_assessments.first(),
            extra=_eurocities(
                "housing, living and living environment", "high risk", "prescriptive",
                proportionality="Une grille publique rend l’examen de plusieurs milliers de "
                "dossiers par an égal pour tous ; la commission garde la décision, ce qui "
                "limite le risque d’une erreur de calcul.",
                training_data="Aucune : la grille de points est écrite à la main et votée "
                "par le conseil d’administration.",
                connected="Système national d’enregistrement de la demande de logement "
                "social (SNE) ; aucun autre fichier de personnes."),
        )
        found = services.create_algorithm(actor=OrgActor(bmh), organization=bmh,
                                          parameters=params[:3] + params[4:], **common)
        services.update_algorithm(actor=OrgActor(bmh), algorithm=found, parameters=params,
                                  note="Ajout du critère « handicap dans le foyer » après "
                                  "consultation des associations.")
    out["housing"] = found
    specs = {
        "canteen": ("ville-de-brest", dict(
            name="Prévision de fréquentation des restaurants scolaires",
            department="Direction de l’éducation", contact_email="education@brest.example",
            description_short="Prévoit chaque semaine le nombre de repas par école pour "
            "réduire le gaspillage.",
            description="Un modèle statistique prévoit les présences à partir des "
            "réservations, du calendrier et des absences passées, par école.",
            status="in_use", purpose="Commander le bon nombre de repas",
            benefit="Moins de repas jetés, moins d’achats inutiles.",
            decision_role="informs", automation_level="Prévision hebdomadaire automatique.",
            human_oversight="Les responsables de restauration ajustent les commandes.",
            people_affected="Aucune décision individuelle : prévision par école",
            legal_basis="Mission de service public de restauration scolaire",
            data_sources="Réservations (agrégées par école), calendrier scolaire, "
            "historique des présences.", method="statistics",
            operations="Régression sur l’historique, par école et jour de la semaine.",
            monitoring="Écart prévision/réalité suivi chaque semaine.",
            risks="Sous-estimation : repas manquants.",
            mitigations="Marge de 3 % et stock de repas de secours.",
            redress="Sans objet (aucune décision individuelle) ; contact du service.",
            extra=_eurocities(
                "education and science", "minimal risk", "predictive",
                proportionality="Une prévision par école, sans donnée individuelle, suffit "
                "à réduire le gaspillage ; une erreur coûte au plus quelques repas.",
                training_data="Trois années de présences agrégées par école et par jour.",
                connected="Logiciel de réservation des repas (données agrégées par école) ; "
                "aucun fichier de personnes."))),
        "leaks": ("eau-du-ponant", dict(
            name="Détection des fuites après compteur",
            department="Service clientèle", contact_email="fuites@eau-du-ponant.example",
            description_short="Repère les consommations nocturnes continues pour prévenir "
            "l’abonné d’une fuite probable.",
            description="Un score combine le débit nocturne minimal et l’écart à la "
            "consommation habituelle ; au-delà d’un seuil, l’abonné est prévenu.",
            status="in_use", purpose="Prévenir les abonnés d’une fuite probable",
            benefit="Moins d’eau perdue, moins de factures élevées.",
            decision_role="recommends",
            automation_level="Le score est calculé chaque nuit ; le message part "
            "automatiquement.", human_oversight="Un agent vérifie avant tout "
            "écrêtement de facture.", people_affected="Abonnés équipés de télérelève",
            yearly_volume=4000, legal_basis="Code général des collectivités territoriales",
            data_sources="Index journaliers de télérelève.", method="statistics",
            operations="Score = 2 × débit nocturne minimal (L/h) + 1 × écart à la moyenne (%).",
            parameters=[
                {"name": "debit_nocturne", "label": "Débit nocturne minimal", "type": "number",
                 "weight": 2, "min": 0, "max": 2000, "unit": "L/h", "source": "Télérelève"},
                {"name": "ecart", "label": "Écart à la consommation habituelle",
                 "type": "number", "weight": 1, "min": -100, "max": 1000, "unit": "%",
                 "source": "Historique de l’abonné"},
            ],
            decision_rule="Au-dessus de 60 points, l’abonné reçoit une alerte fuite.",
            monitoring="Taux d’alertes confirmées suivi chaque mois.",
            risks="Fausses alertes (piscines, arrosage).",
            mitigations="Seuil relevé en été ; l’abonné peut signaler un usage normal.",
            redress="L’abonné peut contester l’alerte et demander un écrêtement.",
            extra=_eurocities(
                "environment, spacial planning and water", "limited risk", "diagnostic",
                proportionality="Prévenir tôt d’une fuite probable évite des pertes d’eau et "
                "des factures élevées ; l’alerte n’entraîne aucune sanction.",
                training_data="Aucune : score à deux coefficients fixés par le service à "
                "partir des fuites confirmées.",
                connected="Index de télérelève des compteurs et fichier des abonnés "
                "(pour les prévenir)."))),
        "bus": ("brest-metropole", dict(
            name="Modèle de demande de déplacements",
            department="Direction des mobilités", contact_email="mobilites@brest.example",
            description_short="Estime les déplacements entre quartiers pour comparer des "
            "scénarios de réseau de bus.",
            description="Les validations et les comptages vélo alimentent une matrice "
            "origine-destination ; le modèle compare des scénarios de lignes.",
            status="in_use", purpose="Préparer la restructuration du réseau Bibus",
            decision_role="informs", automation_level="Calculs à la demande des études.",
            human_oversight="Les élus choisissent le scénario après concertation.",
            people_affected="Aucune décision individuelle",
            legal_basis="Compétence d’autorité organisatrice de la mobilité",
            data_sources="Validations agrégées, comptages vélo.", method="statistics",
            operations="Matrice origine-destination, affectation sur le réseau.",
            monitoring="Comparaison annuelle avec la fréquentation observée.",
            risks="Sous-représenter les quartiers peu desservis aujourd’hui.",
            mitigations="Enquête ménages-déplacements en complément.",
            redress="Concertation publique sur les scénarios.",
            extra=_eurocities(
                "traffic and transportation", "minimal risk", "predictive",
                proportionality="Comparer des scénarios de réseau sur des flux agrégés, sans "
                "donnée individuelle, éclaire la décision des élus.",
                training_data="Validations agrégées par arrêt et par heure, comptages vélo, "
                "enquête ménages-déplacements.",
                connected="Aucune connexion à un fichier de personnes : données agrégées."))),
    }
    for key, (slug, fields) in specs.items():
        org = orgs[slug]
        existing = Algorithm.objects.filter(organization=org, name=fields["name"]).first()
        out[key] = existing or services.create_algorithm(actor=OrgActor(org),
                                                         organization=org, **fields)
    return out


def _run(job: str, inputs: list[str], outputs: list[str], minute: int, ns: str,
         ds_ns: str) -> list[dict[str, Any]]:
    run_id = str(uuid.uuid5(NS, f"{ns}/{job}/{minute}"))
    base = datetime.datetime(2026, 2, 2, 6, 0, tzinfo=datetime.UTC)
    common = {"run": {"runId": run_id, "facets": {}},
              "job": {"namespace": ns, "name": job, "facets": {}},
              "inputs": [{"namespace": ds_ns, "name": n} for n in inputs],
              "producer": "https://spld.example/demo", "schemaURL":
              "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"}
    start = base + datetime.timedelta(minutes=minute)
    return [
        {**common, "eventType": "START", "eventTime": start.isoformat()},
        {**common, "eventType": "COMPLETE",
         "eventTime": (start + datetime.timedelta(minutes=4)).isoformat(),
         "outputs": [{"namespace": ds_ns, "name": n} for n in outputs]},
    ]


def _lineage(orgs: dict[str, Any], admin: Any) -> dict[str, str]:
    from spld.lineage import services as lineage

    bus = [
        *_run("import_validations", [], ["validations_brutes"], 0, "brest-metropole",
              "s3://brest-metropole"),
        *_run("agreger_validations", ["validations_brutes"],
              ["validations-bibus-par-arret-et-heure"], 10, "brest-metropole",
              "s3://brest-metropole"),
        *_run("import_comptages_velo", [], ["comptages-velo"], 5, "brest-metropole",
              "s3://brest-metropole"),
        *_run("matrice_origine_destination", ["validations-bibus-par-arret-et-heure",
                                              "comptages-velo"], ["matrice_od"], 20,
              "brest-metropole", "s3://brest-metropole"),
        *_run("scenario_reseau_2026", ["matrice_od"], ["scenarios_reseau_2026"], 30,
              "brest-metropole", "s3://brest-metropole"),
    ]
    water = [
        *_run("collecte_telereleve", [], ["index_journaliers"], 0, "eau-du-ponant",
              "s3://eau-du-ponant"),
        *_run("score_fuites", ["index_journaliers"], ["alertes_fuites"], 15, "eau-du-ponant",
              "s3://eau-du-ponant"),
    ]
    lineage.ingest(actor=TokenActor(organization=orgs["brest-metropole"], token_id=0),
                   events=bus)
    lineage.ingest(actor=TokenActor(organization=orgs["eau-du-ponant"], token_id=0),
                   events=water)
    for slug, ns, name in [("validations-bibus-par-arret-et-heure", "s3://brest-metropole",
                            "validations-bibus-par-arret-et-heure"),
                           ("comptages-velo", "s3://brest-metropole", "comptages-velo")]:
        for dataset in _datasets(slug):
            lineage.register_alias(actor=admin, namespace=ns, name=name,
                                   catalog_dataset=dataset)
    return {"bus": bus[-1]["run"]["runId"], "leaks": water[-1]["run"]["runId"]}


def _usages(orgs: dict[str, Any], canteen: ProcessingActivity, housing: ProcessingActivity,
            water: ProcessingActivity, algorithms: dict[str, Algorithm],
            runs: dict[str, str]) -> None:
    specs = [
        ("ville-de-brest", dict(
            title="Prévision de la fréquentation des cantines",
            description="Prévoir chaque semaine le nombre d’enfants présents dans chaque "
            "restaurant scolaire pour commander le bon nombre de repas.",
            purpose="Ajuster les commandes de repas.",
            general_interest="Réduire le gaspillage alimentaire et les dépenses publiques.",
            expected_results="Un tiers de repas jetés en moins en deux ans.",
            actual_results="Après deux années scolaires : 27 % de repas jetés en moins.",
            start_date=datetime.date(2024, 9, 2), status="in_production",
            footprint_note="Calcul hebdomadaire de quelques minutes sur un serveur mutualisé.",
            algorithms=[algorithms["canteen"]], processing_activities=[canteen]),
         [("Repas jetés par jour", "repas", [("2024-09-30", 610), ("2025-01-31", 540),
                                             ("2025-06-30", 480), ("2026-01-31", 445)])]),
        ("brest-metropole-habitat", dict(
            title="Cotation de la demande de logement social",
            description="Une grille publique de points pour examiner les demandes dans le "
            "même ordre pour tous.", purpose="Aider la commission d’attribution.",
            general_interest="Égalité de traitement et transparence des attributions.",
            expected_results="Des décisions explicables ; délais d’attente mieux connus.",
            start_date=datetime.date(2027, 1, 4), status="planned",
            algorithms=[algorithms["housing"]], processing_activities=[housing]), []),
        ("brest-metropole", dict(
            title="Restructuration du réseau Bibus 2026",
            description="Utiliser les validations et les comptages vélo pour redessiner les "
            "lignes de bus au plus près des déplacements.",
            purpose="Comparer des scénarios de réseau.",
            general_interest="Un réseau plus utile, moins de voitures en ville.",
            expected_results="+8 % de voyages en trois ans.",
            actual_results="Scénario retenu après concertation ; mise en service en 2026.",
            start_date=datetime.date(2025, 3, 1), status="in_production",
            datasets=_datasets("validations-bibus-par-arret-et-heure", "comptages-velo"),
            algorithms=[algorithms["bus"]], lineage_run=uuid.UUID(runs["bus"])),
         [("Voyages sur le réseau", "millions", [("2023-12-31", 31.2), ("2024-12-31", 32.0),
                                                 ("2025-12-31", 33.4)])]),
        ("eau-du-ponant", dict(
            title="Détection des fuites sur le réseau d’eau",
            description="Repérer les fuites après compteur grâce à la télérelève et prévenir "
            "les abonnés.", purpose="Prévenir les fuites chez les abonnés.",
            general_interest="Préserver la ressource en eau.",
            expected_results="Rendement du réseau au-dessus de 85 %.",
            actual_results="Rendement passé de 81,5 % à 84,2 % en trois ans.",
            start_date=datetime.date(2023, 6, 1), status="experiment",
            datasets=_datasets("consommation-eau-par-iris"),
            algorithms=[algorithms["leaks"]], processing_activities=[water],
            lineage_run=uuid.UUID(runs["leaks"])),
         [("Rendement du réseau", "%", [("2023-12-31", 81.5), ("2024-12-31", 82.9),
                                       ("2025-12-31", 84.2)])]),
    ]
    for slug, fields, indicators in specs:
        org = orgs[slug]
        partners = [orgs["operateur-bibus"], orgs["adeupa"]] if slug == "brest-metropole" else []
        if Usage.objects.filter(organization=org, title=fields["title"]).exists():
            continue
        usage = services.create_usage(actor=OrgActor(org), organization=org, partners=partners,
                                      **fields)
        for name, unit, points in indicators:
            services.record_indicators(actor=OrgActor(org), usage=usage, points=[
                {"name": name, "unit": unit, "date": d, "value": v} for d, v in points])
