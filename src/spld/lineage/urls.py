from django.urls import path

from spld.lineage import views

app_name = "lineage"

urlpatterns = [
    path("executions/<uuid:run_id>/", views.run_path, name="run_path"),
]
