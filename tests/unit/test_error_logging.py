"""How GraphQL errors reach the log: a refusal (the caller's doing) is one line with the
operation and the code; an internal error keeps its traceback."""

from __future__ import annotations

import logging

import pytest
import strawberry

from api.schema import schema_for
from governance.errors import AccessDeniedError
from graph.settings import Profile


@strawberry.type
class Query:
    @strawberry.field
    def refused(self) -> str:
        raise AccessDeniedError("user:bo", "read", "table cities", "no membership allows it")

    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("driver said\nsomething long")


SCHEMA = schema_for(Profile.PROD, Query)


async def test_a_refused_operation_logs_one_line_with_its_name_and_code(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    result = await SCHEMA.execute("query Cities { refused }")
    assert result.errors
    [record] = caplog.records
    assert record.name == "grace.api"
    assert record.levelno == logging.INFO
    assert record.exc_info is None
    line = record.getMessage()
    assert "\n" not in line
    assert line.startswith("refused Cities: access_denied at refused: ")
    assert "\n" not in caplog.text.rstrip("\n")


async def test_an_invalid_request_logs_one_line_too(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    result = await SCHEMA.execute("query Nope { missing }")
    assert result.errors
    [record] = caplog.records
    assert record.getMessage().startswith("refused Nope: invalid_request at -: ")
    assert record.exc_info is None


async def test_an_internal_error_keeps_its_traceback_and_the_client_sees_none(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    result = await SCHEMA.execute("query Broken { broken }")
    assert [error.message for error in result.errors or []] == ["internal error"]
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert "RuntimeError" in caplog.text
    assert "Traceback" in caplog.text
