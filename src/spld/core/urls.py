from django.urls import path

from spld.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("transparence/", views.hub, name="hub"),
    path("charte/", views.charter, name="charter"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal, name="legal"),
    path("mes-taches/", views.my_tasks, name="tasks"),
]
