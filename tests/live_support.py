"""A real HTTP server in this suite's port range, for clients that read over the network."""

import socket

import pytest
from django.test.testcases import LiveServerThread, _StaticFilesHandler

PORTS = range(9500, 9550)


def free_port() -> int:
    """A port of this suite's range (9500-9549) that nothing listens on, or skip."""
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 9500-9549")


@pytest.fixture
def live_url(transactional_db):
    """A real threaded HTTP server on a free port of this suite's range (9500-9549)."""
    port = free_port()
    thread = LiveServerThread("127.0.0.1", _StaticFilesHandler, port=port)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{port}"
    thread.terminate()
