"""Sign-in, throttling, registration with e-mail codes, and the admin reserved to SPLD admins."""

import re

import pytest
from django.core import mail

from spld.accounts.models import User
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_sign_in_and_out(client, citizen):
    response = client.post("/compte/connexion/", {"email": citizen.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/compte/"
    assert "Mon espace" in client.get("/compte/").content.decode()
    client.post("/compte/deconnexion/")
    assert client.get("/compte/").status_code == 302


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client, citizen):
    response = client.post("/compte/connexion/", {"email": citizen.email, "password": "wrong"})
    assert response.status_code == 400
    assert "mot de passe incorrect" in response.content.decode()


@pytest.mark.django_db
def test_repeated_wrong_passwords_are_throttled(client, citizen, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post("/compte/connexion/", {"email": citizen.email, "password": "wrong"})
    # Even the right password is refused during the pause.
    response = client.post("/compte/connexion/", {"email": citizen.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_throttle_also_applies_per_address_across_accounts(client, settings):
    for i in range(settings.LOGIN_MAX_FAILURES):
        client.post("/compte/connexion/", {"email": f"x{i}@example.org", "password": "wrong"})
    response = client.post("/compte/connexion/", {"email": "y@example.org", "password": "wrong"})
    assert response.status_code == 429


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2_in_production(settings):
    from spld import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def _code_from_mail() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


@pytest.mark.django_db
def test_citizen_registers_and_verifies_email(client):
    response = client.post(
        "/compte/inscription/",
        {
            "email": "Nouvelle@Example.org",
            "password": "une-phrase-de-passe-solide",
            "display_name": "Nouvelle",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/compte/verification/"
    user = User.objects.get(email="nouvelle@example.org")
    assert user.email_verified_at is None and user.password.startswith(("argon2", "md5"))
    assert len(mail.outbox) == 1 and "nouvelle@example.org" in mail.outbox[0].to
    code = _code_from_mail()
    assert code not in str(list(user.email_codes.values_list("digest", flat=True)))
    response = client.post("/compte/verification/", {"code": code})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None


@pytest.mark.django_db
def test_registration_refuses_weak_password_and_duplicate_email(client, citizen):
    weak = client.post("/compte/inscription/", {"email": "a@example.org", "password": "123"})
    assert weak.status_code == 400 and not User.objects.filter(email="a@example.org").exists()
    dup = client.post(
        "/compte/inscription/", {"email": citizen.email, "password": "une-phrase-de-passe-solide"}
    )
    assert dup.status_code == 400 and "existe déjà" in dup.content.decode()


@pytest.mark.django_db
def test_code_guessing_is_throttled(client):
    client.post(
        "/compte/inscription/", {"email": "b@example.org", "password": "une-phrase-de-passe-solide"}
    )
    good = _code_from_mail()
    wrong = "000000" if good != "000000" else "111111"
    messages = [
        client.post("/compte/verification/", {"code": wrong}).content.decode() for _ in range(6)
    ]
    assert "Code incorrect" in messages[0]
    assert "Trop d’essais" in messages[-1]
    # Even the right code no longer works once throttled.
    client.post("/compte/verification/", {"code": good})
    assert User.objects.get(email="b@example.org").email_verified_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who,status",
    [("spld_admin", 200), ("org_admin", 302), ("citizen", 302), ("committee_member", 302)],
)
def test_django_admin_is_for_spld_admins_only(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/admin/").status_code == status


@pytest.mark.django_db
def test_production_hasher_is_argon2_and_signs_in(client, settings):
    from django.contrib.auth.hashers import identify_hasher

    from spld import settings as production

    # The suite hashes with MD5 for speed; this test runs the hasher production uses.
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = User.objects.create_user(email="argon@spld.example", password="Un mot de passe sûr 42")
    assert user.password.startswith("argon2$argon2id$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert "Un mot de passe" not in user.password
    good = client.post("/compte/connexion/", {"email": user.email,
                                              "password": "Un mot de passe sûr 42"})
    assert good.status_code == 302
    client.post("/compte/deconnexion/")
    wrong = client.post("/compte/connexion/", {"email": user.email,
                                               "password": "Un mot de passe sûr 43"})
    assert wrong.status_code == 400
