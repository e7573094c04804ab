from django.urls import path

from spld.accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.sign_in, name="login"),
    path("deconnexion/", views.sign_out, name="logout"),
    path("inscription/", views.register, name="register"),
    path("verification/", views.verify, name="verify"),
    path("verification/renvoyer/", views.resend_code, name="resend_code"),
    path("deblocage/<str:token>/", views.unlock, name="unlock"),
    path("", views.space, name="space"),
    path("organisations/<slug:slug>/jetons/", views.tokens, name="tokens"),
    path("organisations/<slug:slug>/membres/", views.members, name="members"),
    path(
        "organisations/<slug:slug>/membres/<int:pk>/retirer/",
        views.remove_member,
        name="remove_member",
    ),
    path(
        "organisations/<slug:slug>/jetons/<int:pk>/revoquer/",
        views.revoke_token,
        name="revoke_token",
    ),
]
