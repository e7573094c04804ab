"""After `spld demo`, the README's commands work on its data folder and every printed URL resolves.

One demo load (about a minute) in a fresh project folder, run as a person does: `spld` in a
subprocess, no SPLD_* variable, the default ./spld-data, a port of its own.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import requests
from django.utils import timezone

from tests.process_support import clean_env, free_port, spld_command, stop, wait_for
from tests.system_deps import require_weasyprint

URL = re.compile(r"https?://[^\s\"'<>\\]+")
BAKED_DEFAULT = "127.0.0.1:8000"
RECEIPTS = (
    "import json; from spld.rights.models import Receipt; from spld.rights.jws import "
    "b64url_decode as d; print(json.dumps([json.loads(d(r.jws.split('.')[1])) "
    "for r in Receipt.objects.exclude(jws='')]))"
)


def _urls(text: str) -> set[str]:
    return {match.rstrip(".,;:)»") for match in URL.findall(text)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo loaded with `spld demo --no-serve --port P` in a fresh folder, then served."""
    require_weasyprint()  # the demo publishes an annual report as PDF
    project = tmp_path_factory.mktemp("project")
    port = free_port()
    env = clean_env(project)

    def spld(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(spld_command(*args), cwd=project, env=env, text=True,  # noqa: S603
                                capture_output=True, timeout=600, check=False)
        if check:
            assert result.returncode == 0, f"spld {' '.join(args)}:\n{result.stderr[-3000:]}"
        return result

    loaded = spld("demo", "--no-serve", "--port", str(port))
    server_log = project / "server.log"
    with server_log.open("w") as log:
        server = subprocess.Popen(  # noqa: S603
            spld_command("serve", "--port", str(port), "--workers", "2"),
            cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server)
        yield {"project": project, "port": port, "site": f"http://127.0.0.1:{port}",
               "spld": spld, "loaded": loaded, "server_log": server_log}
    finally:
        stop(server)


def test_the_demo_says_each_step_once(demo):
    out = demo["loaded"].stdout + demo["loaded"].stderr
    assert out.count("indicateurs du jour mesurés") == 1, out
    assert f"SPLD démo : {demo['site']}/" in out
    # WhiteNoise warned "No directory at …/static/" in every worker when it was missing.
    assert requests.get(f"{demo['site']}/", timeout=60).status_code == 200
    assert "No directory at" not in demo["server_log"].read_text()
    env_file = demo["project"] / "spld-data" / "env"
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
    assert f"SPLD_SITE_URL={demo['site']}" in env_file.read_text()


def test_readme_commands_work_on_the_demo_without_extra_variables(demo):
    spld = demo["spld"]
    token = spld("token", "create", "--org", "eau-du-ponant", "--name", "README")
    assert token.stdout.strip().startswith("spld_")
    assert "OK:" in spld("log", "check").stdout
    verified = spld("log", "verify", "--url", demo["site"])
    assert "OK: brest.spld.example/log size" in verified.stdout
    year = timezone.localdate().year - 1
    pdf = demo["project"] / "rapport.pdf"
    report = spld("report", "annual", "--year", str(year), "--output", str(pdf))
    assert f"Rapport {year}" in report.stdout and pdf.read_bytes().startswith(b"%PDF")
    assert spld("charter", "check").returncode == 0
    assert spld("rights_maintenance").returncode == 0
    # Production is unchanged: elsewhere, without the demo's env file, no key means no start.
    elsewhere = demo["project"] / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    refused = subprocess.run(spld_command("check"), cwd=elsewhere,  # noqa: S603
                             env=clean_env(elsewhere), text=True, capture_output=True,
                             timeout=120, check=False)
    assert refused.returncode != 0 and "SPLD_SECRET_KEY is required" in refused.stderr


def test_every_url_the_product_prints_or_signs_resolves(demo):
    site, spld, data = demo["site"], demo["spld"], demo["project"] / "spld-data"
    sources: dict[str, str] = {"demo output": demo["loaded"].stdout}
    receipts = json.loads(spld("shell", "--no-imports", "-c", RECEIPTS).stdout)
    assert receipts, "the demo issues receipts"
    for claims in receipts:
        assert claims["iss"] == site
        assert claims["log"]["url"] == f"{site}/log/"
        withdrawal = claims.get("record", {}).get("withdrawal_method")
        if withdrawal:
            assert site in withdrawal, withdrawal
    sources["receipts"] = json.dumps(receipts, ensure_ascii=False)
    sources["e-mails"] = "\n".join(p.read_text(errors="replace")
                                   for p in sorted((data / "outbox").glob("*")) if p.is_file())
    for path in ("/catalog.jsonld", "/api/3/action/package_search?rows=5",
                 "/.well-known/jwks.json", "/api/1/organizations", "/log/checkpoint"):
        response = requests.get(site + path, timeout=60)
        assert response.status_code == 200, path
        sources[path] = response.text
    sources["log verify"] = spld("log", "verify", "--url", site, "--no-payloads").stdout

    baked = {name for name, text in sources.items() if BAKED_DEFAULT in text}
    assert not baked, f"{BAKED_DEFAULT} baked into: {sorted(baked)}"
    ours = sorted({url for text in sources.values() for url in _urls(text)
                   if url.startswith(site)})
    assert f"{site}/log/" in ours
    shapes: dict[str, int] = {}
    broken = []
    for url in ours:
        shape = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "N", url)
        shapes[shape] = shapes.get(shape, 0) + 1
        if shapes[shape] > 3:  # a few of each kind are enough, the rest are alike
            continue
        with requests.get(url, timeout=120, allow_redirects=False, stream=True) as response:
            if response.status_code >= 400:
                broken.append(f"{response.status_code} {url}")
    assert not broken, broken
    assert len(shapes) >= 5, ours
