from django.urls import path

from spld.charter import views

app_name = "charter"

urlpatterns = [
    path("signataires/", views.signatories, name="signatories"),
    path("signataires/<slug:slug>/", views.signatory, name="signatory"),
    path("alertes/", views.alerts, name="alerts"),
    path("alertes/<int:pk>/", views.alert, name="alert"),
    path("alertes/<int:pk>/repondre/", views.alert_answer, name="alert_answer"),
    path("alertes/<int:pk>/confirmer/", views.alert_confirm, name="alert_confirm"),
    path("alertes/<int:pk>/ecarter/", views.alert_dismiss, name="alert_dismiss"),
    path("comite/", views.committee, name="committee"),
    path("comite/avis/<int:pk>/", views.opinion, name="opinion"),
    path("versions/", views.version_list, name="versions"),
    path("versions/<int:number>/", views.version, name="version"),
    path("indicateurs/", views.indicator_list, name="indicators"),
    path("rapports/", views.report_list, name="reports"),
    path("rapports/generer/", views.report_generate, name="report_generate"),
    path("rapports/<int:year>/", views.report, name="report"),
    path("rapports/<int:year>/publier/", views.report_publish, name="report_publish"),
    path("rapports/<int:year>.pdf", views.report_pdf, name="report_pdf"),
    path("espace/<slug:slug>/", views.space, name="space"),
    path("espace/<slug:slug>/transmettre/", views.space_submit, name="space_submit"),
    path("espace/<slug:slug>/preuves/<int:pk>/", views.evidence_file, name="evidence"),
    path("espace/<slug:slug>/<str:action>/", views.space_action, name="space_action"),
]
