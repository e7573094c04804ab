"""A remote file whose announced size is over the limit is refused at submission (413)."""
# ruff: noqa: F811  (pytest fixtures imported from tests.live_support are parameters here)

import json

from django_tasks_db.models import DBTaskResult

from spld.catalog.models import Resource
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource
from tests.live_support import live_url  # noqa: F401  (fixture: a server on 9500-9549)


def test_remote_file_over_the_limit_gets_413_at_submission(client, api_token, editor, org,
                                                           live_url, settings):
    source = make_resource(editor, make_dataset(editor, org, title="Source"), WATER_CSV)
    remote = f"{live_url}/api/1/resources/{source.rid}/data/csv/"
    settings.SPLD_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SPLD_UPLOAD_MAX_BYTES = 100
    dataset = make_dataset(editor, org, title="Copie")
    tasks_before = DBTaskResult.objects.count()
    response = client.post(f"/api/1/datasets/{dataset.slug}/resources",
                           json.dumps({"title": "Distant", "url": remote}),
                           content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert response.status_code == 413, response.content
    error = response.json()["error"]
    assert error["code"] == "too_large" and "limite 100" in error["message"]
    assert not Resource.objects.filter(dataset=dataset).exists()
    assert DBTaskResult.objects.count() == tasks_before  # no task queued to fail later

    settings.SPLD_UPLOAD_MAX_BYTES = 10_000_000  # under the limit: accepted as before
    accepted = client.post(f"/api/1/datasets/{dataset.slug}/resources",
                           json.dumps({"title": "Distant", "url": remote}),
                           content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert accepted.status_code == 202, accepted.content

