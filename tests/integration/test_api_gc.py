"""The API process keeps what its start-up built out of the garbage collector's reach while
it runs (`api.app.keep_out_of_collections`), and gives it back when it stops."""

from __future__ import annotations

import gc

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.settings import Settings

pytestmark = pytest.mark.integration


def test_what_start_up_built_is_frozen_while_the_app_runs(settings: Settings) -> None:
    gc.unfreeze()
    with TestClient(create_app(settings)) as client:
        assert gc.get_freeze_count() > 100_000  # the modules, the schema, the services
        assert client.get("/health/live").status_code == 200
    assert gc.get_freeze_count() == 0
