from django.urls import path

from spld.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.journal, name="journal"),
    path("entree/<int:index>/", views.entry, name="entry"),
    path("garanties/", views.guarantees, name="guarantees"),
    path("temoins/", views.witnesses, name="witnesses"),
]
