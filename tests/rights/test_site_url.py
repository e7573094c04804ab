"""Receipts name the configured public base URL (SPLD_SITE_URL), and their links resolve."""

from urllib.parse import urlsplit

from spld.rights import jws
from tests.rights.test_consents import post


def test_receipt_iss_withdrawal_and_log_link_follow_the_site_url(client, api_token, citizen,
                                                                 consent_payload, settings):
    settings.SITE_URL = "https://donnees.exemple.fr"
    response = post(client, api_token, consent_payload())
    assert response.status_code == 201, response.content
    claims = jws.verify(response.json()["receipt"])
    assert claims["iss"] == "https://donnees.exemple.fr"
    assert claims["log"]["url"] == "https://donnees.exemple.fr/log/"
    withdrawal = claims["record"]["withdrawal_method"]
    assert "https://donnees.exemple.fr/compte/donnees/" in withdrawal
    assert "127.0.0.1" not in response.content.decode()
    for url in (claims["log"]["url"], "https://donnees.exemple.fr/compte/donnees/"):
        answer = client.get(urlsplit(url).path)
        assert answer.status_code in (200, 301, 302), (url, answer.status_code)
    # /log/ leads a person to the page that lists the log's endpoints.
    assert client.get("/log/", follow=True).status_code == 200
