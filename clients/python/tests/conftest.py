from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from childproc import Program  # noqa: E402
from hubproc import Hub, PgDatabase  # noqa: E402

from flatmachines_hub import HubClient, HubRegistrationBackend, HubWorkBackend  # noqa: E402


@pytest.fixture(scope="session")
def hub() -> Iterator[Hub]:
    """One SQLite hub for the tests that need nothing special; each test uses names of its own."""
    h = Hub()
    yield h
    h.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine_hub(request: pytest.FixtureRequest) -> Iterator[Hub]:
    """The backend tests run twice: on a SQLite hub and on a hub with a PostgreSQL database of its own."""
    db = PgDatabase("backends") if request.param == "postgres" else None
    try:
        h = Hub(database_url=db.url if db else None)
        yield h
        h.stop()
    finally:
        if db:
            db.drop()


@pytest.fixture
def name() -> "callable":
    """Unique pool and worker names, so tests sharing a hub never see each other's items."""
    tag = uuid.uuid4().hex[:8]
    return lambda base: f"{base}-{tag}"


@pytest.fixture
def program() -> Iterator[Callable[..., Program]]:
    """``program("slow_worker.py", *args)`` starts a test program as a :class:`childproc.Program`;
    whatever is still running when the test ends, passed or failed, is killed."""
    started: list[Program] = []

    def start(script: str, *args: str) -> Program:
        started.append(Program(script, *args))
        return started[-1]

    yield start
    for p in started:
        p.kill()


@pytest.fixture
def client(hub: Hub) -> HubClient:
    return HubClient(hub.url)


@pytest.fixture
def reg(engine_hub: Hub) -> HubRegistrationBackend:
    return HubRegistrationBackend(engine_hub.url)


@pytest.fixture
def work(engine_hub: Hub) -> HubWorkBackend:
    return HubWorkBackend(engine_hub.url)


@pytest.fixture
def ops(engine_hub: Hub) -> HubClient:
    """A plain client of the same hub, to look at what the backends did."""
    return HubClient(engine_hub.url)
