"""Cron-like schedules from settings, turned into arq cron jobs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from arq.cron import CronJob, cron
from croniter import croniter

from graph.errors import ConfigurationError
from graph.settings import Schedule

Task = Callable[..., Any]


def _field(values: list[Any], convert: Callable[[int], int] = int) -> set[int] | None:
    return None if values == ["*"] else {convert(int(value)) for value in values}


def cron_jobs(schedules: Sequence[Schedule], tasks: Mapping[str, Task]) -> list[CronJob]:
    """One arq cron job per schedule; unknown tasks and bad expressions are refused."""
    jobs = []
    for schedule in schedules:
        if schedule.task not in tasks:
            known = ", ".join(sorted(tasks))
            raise ConfigurationError(f"schedule: unknown task {schedule.task!r} (known: {known})")
        if not croniter.is_valid(schedule.cron) or len(schedule.cron.split()) != 5:
            raise ConfigurationError(f"schedule {schedule.task!r}: bad cron {schedule.cron!r}")
        minute, hour, day, month, weekday = croniter(schedule.cron).expanded
        jobs.append(
            cron(
                tasks[schedule.task],
                name=f"schedule:{schedule.task}",
                minute=_field(minute),
                hour=_field(hour),
                day=_field(day),
                month=_field(month),
                # cron counts weekdays from Sunday = 0; arq from Monday = 0
                weekday=_field(weekday, lambda d: (d - 1) % 7),
                second=0,
                unique=True,
                run_at_startup=False,
            )
        )
    return jobs
