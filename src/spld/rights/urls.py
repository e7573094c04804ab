"""Pages of the rights app, mounted at the root of the French/English site."""

from django.urls import path

from spld.rights import oidc, views

app_name = "rights"

urlpatterns = [
    path("compte/donnees/", views.space, name="space"),
    path("compte/donnees/qui-detient-mes-donnees/", views.holders, name="holders"),
    path("compte/donnees/consentements/<uuid:uid>/retirer/", views.withdraw, name="withdraw"),
    path("compte/donnees/recus/<uuid:uid>/", views.receipt, name="receipt"),
    path("compte/donnees/recus/<uuid:uid>/recu.jws", views.receipt_jws, name="receipt_jws"),
    path("compte/donnees/recus/<uuid:uid>/recu.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("compte/donnees/demandes/nouvelle/", views.request_new, name="request_new"),
    path("compte/donnees/demandes/<uuid:uid>/", views.request_detail, name="request"),
    path("compte/donnees/paquet/<str:token>/", views.package_download, name="package"),
    path("compte/donnees/effacer/", views.erase, name="erase"),
    path("compte/oidc/connexion/", oidc.start, name="oidc_login"),
    path("compte/oidc/retour/", oidc.callback, name="oidc_callback"),
    path("consentement/<uuid:uid>/", views.consent_page, name="consent_page"),
    path("droits/retards/", views.overdue, name="overdue"),
    path("droits/statistiques/", views.statistics, name="statistics"),
    path("droits/verifier-un-recu/", views.verify, name="verify"),
    path("droits/organisations/<slug:slug>/", views.backoffice, name="backoffice"),
    path("droits/organisations/<slug:slug>/demandes/<uuid:uid>/", views.backoffice_part,
         name="backoffice_part"),
    path("droits/organisations/<slug:slug>/demandes/<uuid:uid>/pieces/<int:pk>/",
         views.backoffice_attachment, name="backoffice_attachment"),
    path("droits/organisations/<slug:slug>/journal-des-acces.csv", views.access_log_export,
         name="access_log_export"),
]
