from django.urls import path

from spld.registers import views

app_name = "registers"

urlpatterns = [
    path("", views.index, name="index"),
    path("qui-detient-mes-donnees/", views.holders, name="holders"),
    path("traitements/<uuid:uid>/", views.processing_detail, name="processing_detail"),
    path("partages/", views.flows, name="flows"),
    path("partages/<uuid:uid>/", views.flow_detail, name="flow_detail"),
    path("organisations/<slug:slug>/partages/", views.organization_flows,
         name="organization_flows"),
    path("usages/", views.usages, name="usages"),
    path("usages/<uuid:uid>/", views.usage_detail, name="usage_detail"),
    path("usages/<uuid:uid>/mesures/", views.usage_indicator, name="usage_indicator"),
    path("algorithmes/", views.algorithms, name="algorithms"),
    path("algorithmes/<uuid:uid>/", views.algorithm_detail, name="algorithm_detail"),
    path("algorithmes/<uuid:uid>/versions/<int:version>/", views.algorithm_revision,
         name="algorithm_revision"),
    path("algorithmes/<uuid:uid>/expliquer/", views.algorithm_explain, name="algorithm_explain"),
    path("analyses-d-impact/", views.assessments, name="assessments"),
    path("analyses-d-impact/<uuid:uid>/", views.assessment_detail, name="dpia_detail"),
    path("analyses-d-impact/<uuid:uid>/modifier/", views.assessment_edit, name="dpia_edit"),
    path("analyses-d-impact/<uuid:uid>/<slug:step>/", views.assessment_transition,
         name="dpia_transition"),
    path("gerer/", views.manage, name="manage"),
    path("gerer/importer-pia/", views.pia_import, name="pia_import"),
    path("gerer/<slug:kind>/nouveau/", views.edit, name="create"),
    path("gerer/<slug:kind>/<uuid:uid>/", views.edit, name="edit"),
]
