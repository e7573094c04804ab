"""Build vocab/*.json from ../shared (maintainers only; the product reads only the JSON)."""
import json
import sys
from pathlib import Path

import rdflib
import yaml
from rdflib.namespace import RDF, SKOS

SHARED = Path("/work/shared/vocab")
OUT = Path("/work/main/src/spld/registers/vocab")
g = rdflib.Graph()
for f in ("dpv.ttl", "pd.ttl", "eu-gdpr.ttl"):
    g.parse(SHARED / "dpv-2.3" / f)
DPV = "https://w3id.org/dpv#"
PD = "https://w3id.org/dpv/pd#"
GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
SPECIAL = rdflib.URIRef(DPV + "SpecialCategoryPersonalData")

def term(iri, fr, **extra):
    u = rdflib.URIRef(iri)
    en = g.value(u, SKOS.prefLabel)
    if en is None:
        sys.exit(f"missing {iri}")
    d = {"iri": iri, "label_fr": fr, "label_en": str(en)}
    definition = g.value(u, SKOS.definition)
    if definition:
        d["definition_en"] = str(definition)
    d.update(extra)
    return d

purposes = [term(DPV + k, v) for k, v in [
    ("ServiceProvision", "Fournir un service public"),
    ("PublicBenefit", "Intérêt général"),
    ("PublicPolicyMaking", "Élaborer une politique publique"),
    ("ServiceOptimisation", "Améliorer le fonctionnement du service"),
    ("ProvideOfficialStatistics", "Produire des statistiques publiques"),
    ("ScientificResearch", "Recherche scientifique"),
    ("AcademicResearch", "Recherche universitaire"),
    ("CommunicationManagement", "Informer et communiquer avec les usagers"),
    ("CommunicationForCustomerCare", "Assister et prévenir les usagers"),
    ("CustomerManagement", "Gérer la relation avec les usagers"),
    ("PaymentManagement", "Gérer la facturation et les paiements"),
    ("IdentityVerification", "Vérifier l’identité"),
    ("FraudPreventionAndDetection", "Prévenir et détecter la fraude"),
    ("EnforceSecurity", "Assurer la sécurité"),
    ("LegalCompliance", "Respecter une obligation légale"),
    ("RecordManagement", "Gérer les archives et les dossiers"),
    ("HumanResourceManagement", "Gérer le personnel"),
    ("ServiceUsageAnalytics", "Mesurer la fréquentation du service"),
]]
legal_bases = [term(GDPR + k, v, article=a) for k, v, a in [
    ("A6-1-a", "Consentement de la personne", "6(1)(a)"),
    ("A6-1-b", "Exécution d’un contrat", "6(1)(b)"),
    ("A6-1-c", "Obligation légale", "6(1)(c)"),
    ("A6-1-d", "Sauvegarde des intérêts vitaux", "6(1)(d)"),
    ("A6-1-e", "Mission d’intérêt public ou exercice de l’autorité publique", "6(1)(e)"),
    ("A6-1-e-public-interest", "Mission d’intérêt public", "6(1)(e)"),
    ("A6-1-e-official-authority", "Exercice de l’autorité publique", "6(1)(e)"),
    ("A6-1-f", "Intérêt légitime", "6(1)(f)"),
]]
cats = [
    ("Identifying", "Identité (nom, prénom, identifiants)"),
    ("Name", "Nom et prénom"),
    ("Contact", "Coordonnées"),
    ("EmailAddress", "Adresse électronique"),
    ("TelephoneNumber", "Numéro de téléphone"),
    ("PhysicalAddress", "Adresse postale"),
    ("Age", "Âge"),
    ("BirthDate", "Date de naissance"),
    ("Gender", "Genre"),
    ("MaritalStatus", "Situation matrimoniale"),
    ("FamilyStructure", "Composition familiale"),
    ("Household", "Foyer"),
    ("Income", "Revenus"),
    ("Financial", "Données financières"),
    ("Tax", "Données fiscales"),
    ("Location", "Localisation"),
    ("HomeLocation", "Lieu de résidence"),
    ("TravelHistory", "Historique des déplacements"),
    ("VehicleUsage", "Utilisation d’un véhicule"),
    ("ServiceConsumptionBehaviour", "Consommation du service (relevés, fréquentation)"),
    ("Transactional", "Transactions et paiements"),
    ("Professional", "Vie professionnelle"),
    ("Education", "Scolarité et formation"),
    ("School", "Établissement scolaire"),
    ("Preference", "Préférences (par exemple, régime alimentaire)"),
    ("DeviceBased", "Données techniques d’appareil"),
    ("IPAddress", "Adresse IP"),
    ("Vulnerability", "Situation de vulnérabilité"),
    ("SocialStatus", "Situation sociale"),
    ("Health", "Santé"),
    ("Disability", "Handicap"),
    ("EthnicOrigin", "Origine ethnique"),
    ("Religion", "Convictions religieuses"),
    ("PoliticalOpinion", "Opinions politiques"),
    ("TradeUnionMembership", "Appartenance syndicale"),
    ("Biometric", "Données biométriques"),
    ("Genetic", "Données génétiques"),
    ("Sexual", "Vie ou orientation sexuelle"),
    ("Criminal", "Infractions et condamnations"),
]
categories = []
for k, fr in cats:
    u = rdflib.URIRef(PD + k)
    special = (u, RDF.type, SPECIAL) in g
    categories.append(term(PD + k, fr, special=special))
# GDPR art. 10: criminal data is its own regime, flagged as sensitive too.
for c in categories:
    if c["iri"].endswith("#Criminal"):
        c["special"] = True

vocab = {"source": "W3C Data Privacy Vocabulary 2.3 (w3c/dpv, folder 2.3/, W3C Software and "
                   "Document License); French labels by SPLD.",
         "purposes": purposes, "legal_bases": legal_bases, "personal_data_categories": categories}
(OUT / "dpv.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=1) + "\n")

std = yaml.safe_load((SHARED / "algorithm-register/eurocities-standard-v0.3.1.yaml").read_text())
props = []
for p in std["properties"]:
    q = {"attribute": p["attribute"], "name_en": p["name"]["en"],
         "category_en": p["category"]["en"], "type": p["type"],
         "required": bool(p.get("required")), "description_en": p["description"]["en"]}
    if "enum" in p:
        q["enum"] = p["enum"]["en"]
    if "const" in p:
        q["const"] = p["const"]
    props.append(q)
(OUT / "eurocities-0.3.1.json").write_text(json.dumps({
    "source": "Eurocities Algorithmic Transparency Standard v0.3.1 (Algoritmeregister/standard, "
              "_data/schema-v0_3_1.yaml), converted to JSON by SPLD.",
    "version": std["version"], "properties": props}, ensure_ascii=False, indent=1) + "\n")
print(len(purposes), len(legal_bases), len(categories), len(props))
