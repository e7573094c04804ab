"""Text of version 1 of the charter (our own wording, built on spld.core.principles)."""

import datetime as dt

from spld.core.principles import PRINCIPLES

_BODIES: dict[int, tuple[str, str]] = {
    1: ("Peuvent signer la charte : la métropole et ses communes, les collectivités partenaires, "
        "les entreprises et organismes qui travaillent pour elles avec des données publiques, les "
        "entreprises privées qui utilisent ces données et les associations. La charte peut être "
        "jointe à un marché public, à une concession ou à une délégation de service public. Une "
        "organisation peut aussi la signer de sa propre initiative.",
        "Le périmètre est large pour que les mêmes règles suivent la donnée, quel que soit celui "
        "qui la traite."),
    2: ("Signer est un engagement. Avant de signer, l’organisation montre, principe par "
        "principe, comment elle va respecter la charte. Ensuite, elle s’évalue chaque année. Si "
        "elle manque à ses engagements, elle reçoit des alertes. Si rien ne change, le comité "
        "peut décider de l’exclure.",
        "Les alertes ont trois niveaux : alerte, deuxième alerte, mise en demeure. Chaque étape "
        "est publique."),
    3: ("Un comité d’éthique, où siègent des élus, des habitants, des personnes qualifiées et "
        "des signataires, suit l’application de la charte. Chaque année, il publie un bilan "
        "public avec ses recommandations.",
        "Les avis du comité, ses réunions et ses comptes rendus sont publiés."),
    4: ("Des ateliers et des temps de médiation aident chacun à comprendre ce qu’est une donnée, "
        "à quoi elle sert et comment protéger les siennes. Cette aide s’adresse à tous, y compris "
        "aux personnes éloignées du numérique.",
        "La médiation se fait aussi hors ligne : permanences, associations, écoles."),
    5: ("Les habitants sont consultés chaque fois que la charte change. Les résultats des "
        "consultations sont publiés, avec le nombre de réponses à chaque question.",
        "Chaque nouvelle version de la charte indique la consultation qui l’a éclairée."),
    6: ("Les signataires respectent le RGPD et le droit français. Quand ils traitent des données "
        "personnelles à grande échelle, ils publient leur analyse d’impact.",
        "Publier l’analyse avant le début du traitement permet aux habitants de réagir à temps."),
    7: ("Les données produites pour le service public sont publiées en données ouvertes, dans "
        "des formats libres, gratuits et réutilisables.",
        "Les données personnelles ne sont jamais ouvertes ; elles peuvent être anonymisées."),
    8: ("La liste des données mises à disposition, de leurs producteurs et des usages qui en "
        "sont faits est publique. Chacun peut savoir qui utilise quelles données, et pourquoi.",
        "Chaque jeu de données indique sa finalité et sa durée de conservation."),
    9: ("Un algorithme utilisé pour l’intérêt général n’est pas une boîte noire. Son "
        "fonctionnement est expliqué pour que l’on comprenne ce qui a guidé une décision.",
        "L’explication dit quelles données entrent, comment elles pèsent, et qui décide au final."),
    10: ("Les signataires utilisent des formats et des standards communs, pour que d’autres "
         "puissent réutiliser leurs données facilement.",
         "Un schéma de données publié vaut mieux qu’un long mode d’emploi."),
    11: ("On ne collecte, ne garde et ne traite que les données nécessaires. On limite "
         "l’empreinte écologique du numérique et on vérifie régulièrement qu’elle reste "
         "justifiée par les résultats.",
         "Une durée de conservation courte protège les personnes et réduit le stockage."),
}

FIRST_VERSION = {
    "adopted_on": dt.date(2022, 10, 3),
    "adopted_by": "Conseil de la métropole",
    "changelog": "Première version de la charte, issue des travaux d’un jury citoyen.",
    "reasons": "Donner un cadre commun et vérifiable au partage des données du territoire.",
    "principles": {
        p.number: (str(p.title), _BODIES[p.number][0], _BODIES[p.number][1]) for p in PRINCIPLES
    },
}
