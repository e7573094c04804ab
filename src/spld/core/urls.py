"""Pages of the shared kernel; the portal mounts them with its own under `core:`."""

from django.urls import path

from spld.core import views

app_name = "core"

urlpatterns = [
    path("charte/", views.charter, name="charter"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal, name="legal"),
    path("mes-taches/", views.my_tasks, name="tasks"),
]
