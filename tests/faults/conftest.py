"""Fixtures of the fault tests: a PostgreSQL database seeded by a separate process and the
processes serving it. These tests use the machine's PostgreSQL whichever database pytest uses."""

import os

import pytest

from tests.faults import servers
from tests.reminders import procs


@pytest.fixture
def procdb(tmp_path):
    db = procs.ProcDB("postgresql", tmp_path, f"ju_faults_procs_{os.getpid()}")
    db.seeded_on = db.prepare()
    yield db
    db.drop()


@pytest.fixture
def started():
    """Processes a test starts; stopped afterwards whatever happens."""
    running: list = []
    yield running
    for p in reversed(running):
        p.stop()


@pytest.fixture
def web(procdb, tmp_path, started):
    environ = procs.env(procdb.url, tmp_path, DB_CONN_MAX_AGE="60", AXES_ENABLED="0")
    server = servers.Gunicorn(environ)
    started.append(server)
    server.wait_ready()
    return server
