from __future__ import annotations

from typing import Any

import pytest

from graph.errors import ConfigurationError
from graph.settings import Schedule
from ingest.schedules import cron_jobs


async def task(ctx: dict[str, Any]) -> None:
    return None


def test_a_cron_expression_becomes_an_arq_cron_job() -> None:
    [job] = cron_jobs([Schedule(task="rescan", cron="*/15 6-7 * * 1")], {"rescan": task})
    assert job.name == "schedule:rescan"
    assert job.minute == {0, 15, 30, 45}
    assert job.hour == {6, 7}
    assert job.day is None
    assert job.weekday == {0}  # cron's Monday (1) is arq's 0
    assert job.second == 0


def test_an_unknown_task_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="unknown task 'vacuum'"):
        cron_jobs([Schedule(task="vacuum", cron="* * * * *")], {"rescan": task})


@pytest.mark.parametrize("expression", ["*/15 * *", "61 * * * *", "every monday"])
def test_a_bad_expression_is_refused(expression: str) -> None:
    with pytest.raises(ConfigurationError, match="bad cron"):
        cron_jobs([Schedule(task="rescan", cron=expression)], {"rescan": task})
