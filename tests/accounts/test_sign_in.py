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


def _sign_in(client, email, password, address="198.51.100.1", forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/compte/connexion/", {"email": email, "password": password}, **extra)


@pytest.mark.django_db
def test_repeated_wrong_passwords_are_throttled(client, citizen, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post("/compte/connexion/", {"email": citizen.email, "password": "wrong"})
    # Even the right password is refused during the pause, from the same address.
    response = client.post("/compte/connexion/", {"email": citizen.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(
    client, citizen, settings
):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert _sign_in(client, citizen.email, "wrong", "203.0.113.66").status_code == 400
    assert _sign_in(client, citizen.email, PASSWORD, "203.0.113.66").status_code == 429
    # The owner, from her own network, signs in with her password.
    response = _sign_in(client, citizen.email, PASSWORD, "198.51.100.7")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(citizen.pk)


@pytest.mark.django_db
def test_pause_doubles_with_each_further_failure(client, citizen, settings):
    from spld.accounts.models import Throttle

    settings.LOGIN_BACKOFF_SECONDS, settings.LOGIN_BACKOFF_MAX_SECONDS = 60, 300
    pauses = []
    for _ in range(settings.LOGIN_MAX_FAILURES + 3):
        _sign_in(client, citizen.email, "wrong", "203.0.113.66")
        row = Throttle.objects.get(key__startswith="pair:")
        if row.blocked_until:
            pauses.append(round((row.blocked_until - row.window_start).total_seconds() / 60))
            # Let the pause run out so the next wrong password counts.
            Throttle.objects.filter(pk=row.pk).update(
                blocked_until=row.blocked_until.replace(year=2000)
            )
    # Minutes of pause: 1, then doubling, capped at 5.
    assert pauses == [1, 2, 4, 5]


@pytest.mark.django_db
def test_throttle_also_applies_per_address_across_accounts(client, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 7
    for i in range(settings.LOGIN_ADDRESS_MAX_FAILURES):
        # Spraying: each account sees fewer failures than its own limit.
        assert _sign_in(client, f"x{i}@example.org", "wrong").status_code == 400
    response = _sign_in(client, "y@example.org", "wrong")
    assert response.status_code == 429 and "depuis votre adresse" in response.content.decode()
    assert _sign_in(client, "y@example.org", "wrong", "198.51.100.2").status_code == 400


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_is_throttled_apart(client, citizen, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _sign_in(client, citizen.email, "wrong", "127.0.0.1", forwarded="203.0.113.66")
    assert _sign_in(client, citizen.email, PASSWORD, "127.0.0.1", "203.0.113.66").status_code == 429
    # Every request comes from the proxy, yet another client is not paused.
    assert _sign_in(client, citizen.email, PASSWORD, "127.0.0.1", "198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_spoofed_forwarded_header_does_not_escape_the_pause(client, citizen, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for i in range(settings.LOGIN_MAX_FAILURES):
        # An attacker reaching the app directly invents a new X-Forwarded-For each time.
        _sign_in(client, citizen.email, "wrong", "203.0.113.66", forwarded=f"10.0.0.{i}")
    assert _sign_in(client, citizen.email, "wrong", "203.0.113.66", "10.0.0.99").status_code == 429


def _unlock_link() -> str:
    return re.search(r"https?://\S+/compte/deblocage/\S+/", mail.outbox[-1].body).group(0)


@pytest.mark.django_db
def test_owner_unlocks_by_the_emailed_link_once(client, citizen, settings, caplog):
    caplog.set_level("WARNING", logger="spld.accounts.services")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _sign_in(client, citizen.email, "wrong-secret-typed", "203.0.113.66")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [citizen.email]
    # The lockout is logged by account number and address, never the typed e-mail or password.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"account {citizen.pk} from address 203.0.113.66" in logged
    assert citizen.email not in logged and "wrong-secret-typed" not in logged
    # More failures during the pause send no second mail.
    _sign_in(client, citizen.email, "wrong", "203.0.113.66")
    assert len(mail.outbox) == 1
    path = _unlock_link().split("://", 1)[1].split("/", 1)[1]
    # Opening the link (as a mail scanner would) does not use it up.
    assert client.get(f"/{path}").status_code == 200
    assert _sign_in(client, citizen.email, PASSWORD, "203.0.113.66").status_code == 429
    response = client.post(f"/{path}")
    assert response.status_code == 302 and response["Location"] == "/compte/connexion/"
    assert _sign_in(client, citizen.email, PASSWORD, "203.0.113.66").status_code == 302
    # A second use is refused with a message, and unlocks nothing.
    client.post("/compte/deconnexion/")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _sign_in(client, citizen.email, "wrong", "203.0.113.66")
    again = client.post(f"/{path}")
    assert again.status_code == 400 and "déjà servi" in again.content.decode()
    assert _sign_in(client, citizen.email, PASSWORD, "203.0.113.66").status_code == 429


@pytest.mark.django_db
def test_unknown_account_pause_sends_no_mail(client, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _sign_in(client, "personne@example.org", "wrong")
    assert _sign_in(client, "personne@example.org", "wrong").status_code == 429
    assert mail.outbox == []
    assert client.post("/compte/deblocage/not-a-token/").status_code == 400


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
def test_unreachable_mail_server_does_not_break_sign_in(client, citizen, settings):
    from spld.accounts.models import UnlockLink

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9151, False
    statuses = [_sign_in(client, citizen.email, "wrong").status_code for _ in range(5)]
    assert statuses == [400] * 5
    # No link was mailed, so none is kept: the next pause tries again.
    assert not UnlockLink.objects.exists()


@pytest.mark.django_db
def test_admin_login_cannot_bypass_the_throttled_sign_in(client, spld_admin, citizen):
    # Django's own admin form would check passwords without any pause: it is not served.
    response = client.post("/admin/login/", {"username": spld_admin.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/?next=/admin/")
    assert "_auth_user_id" not in client.session
    # A signed-in person without the right gets a plain refusal, not a sign-in loop.
    client.force_login(citizen)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def _live_sign_in(base: str, email: str, password: str, forwarded: str) -> int:
    """POST the real form over HTTP, as a reverse proxy on 127.0.0.1 would forward it."""
    import http.cookiejar
    import urllib.error
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{base}/compte/connexion/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "email": email, "password": password}
    ).encode()
    request = urllib.request.Request(
        f"{base}/compte/connexion/",
        data=data,
        headers={"X-Forwarded-For": forwarded, "Referer": f"{base}/compte/connexion/"},
    )
    try:
        return opener.open(request).status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("proxied", [True, False], ids=["behind-proxy", "direct"])
def test_real_server_reads_the_client_address_per_set_up(live_server, settings, proxied):
    from tests.factories import make_user

    owner = make_user("dpo@ville.example")
    settings.TRUSTED_PROXIES = ["127.0.0.1"] if proxied else []
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert _live_sign_in(live_server.url, owner.email, "wrong", "203.0.113.66") == 400
    attacker = _live_sign_in(live_server.url, owner.email, PASSWORD, "203.0.113.66")
    owner_elsewhere = _live_sign_in(live_server.url, owner.email, PASSWORD, "198.51.100.7")
    assert attacker == 429
    # Behind the proxy the owner's own address counts; directly, a header changes nothing.
    assert owner_elsewhere == (302 if proxied else 429)


@pytest.mark.django_db
def test_dead_counters_are_purged_as_new_ones_come(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    from spld.accounts import throttling
    from spld.accounts.models import Throttle

    old = timezone.now() - timedelta(seconds=settings.LOGIN_BACKOFF_MAX_SECONDS + 60)
    Throttle.objects.create(key="pair:dead", failures=9, window_start=old, blocked_until=old)
    Throttle.objects.create(
        key="ip:paused",
        failures=9,
        window_start=old,
        blocked_until=timezone.now() + timedelta(hours=1),
    )
    for i in range(throttling.PURGE_EVERY + 1):
        throttling.record_failure("ip", f"198.51.100.{i % 250}-{i}")
    keys = set(Throttle.objects.values_list("key", flat=True))
    assert "pair:dead" not in keys and "ip:paused" in keys
