"""Machine endpoints of the rights app, outside the translated site."""

from django.urls import path

from spld.rights import views

urlpatterns = [
    path(".well-known/jwks.json", views.jwks_view, name="rights_jwks"),
]
