"""The real openlineage-python client (HttpTransport, Bearer token) against a live server."""

from __future__ import annotations

import uuid

import pytest
import requests

pytest.importorskip("openlineage.client")


def test_start_and_complete_with_the_official_client(transactional_db, live_server, org,
                                                     api_token):
    from openlineage.client import OpenLineageClient
    from openlineage.client.event_v2 import Dataset, Job, Run, RunEvent, RunState
    from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport

    config = HttpConfig(url=live_server.url, endpoint="api/v1/lineage",
                        auth=ApiKeyTokenProvider({"apiKey": api_token}), timeout=10)
    client = OpenLineageClient(transport=HttpTransport(config))
    run_id = str(uuid.uuid4())
    job = Job(namespace="eau-du-ponant", name="detection_fuites")
    inputs = [Dataset(namespace="s3://eau", name="telereleves")]
    outputs = [Dataset(namespace="s3://eau", name="alertes_fuites")]
    producer = "https://github.com/spld/tests"
    client.emit(RunEvent(eventType=RunState.START, eventTime="2026-03-01T08:00:00+00:00",
                         run=Run(runId=run_id), job=job, producer=producer, inputs=inputs))
    client.emit(RunEvent(eventType=RunState.COMPLETE, eventTime="2026-03-01T08:05:00+00:00",
                         run=Run(runId=run_id), job=job, producer=producer, inputs=inputs,
                         outputs=outputs))

    graph = requests.get(f"{live_server.url}/api/1/lineage", timeout=10, params={
        "node": "dataset:s3://eau:alertes_fuites", "depth": 2}).json()
    assert {"source": "dataset:s3://eau:telereleves",
            "target": "job:eau-du-ponant:detection_fuites"} in graph["edges"]
    assert {"source": "job:eau-du-ponant:detection_fuites",
            "target": "dataset:s3://eau:alertes_fuites"} in graph["edges"]
    upstream = requests.get(f"{live_server.url}/api/1/lineage/runs/{run_id}/upstream",
                            timeout=10).json()
    assert upstream["run"]["state"] == "COMPLETE"
    assert upstream["run"]["startedAt"].startswith("2026-03-01T08:00")
    assert [i["dataset"] for i in upstream["inputs"]] == ["dataset:s3://eau:telereleves"]
    assert upstream["outputs"][0]["dataset"] == "dataset:s3://eau:alertes_fuites"
