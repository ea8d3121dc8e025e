"""`off_loop`: CPU-bound trust work in a daemon thread, which a stopping process leaves
behind rather than waits for."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pytest

from trust.offload import off_loop


async def test_the_work_runs_off_the_loop_and_its_result_comes_back() -> None:
    loop_thread = threading.get_ident()
    ran_on = await off_loop(threading.get_ident)
    assert ran_on != loop_thread


async def test_an_error_of_the_work_is_raised_to_the_awaiting_task() -> None:
    def fails() -> int:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await off_loop(fails)


async def test_a_cancelled_wait_ends_at_once_and_the_loop_serves_meanwhile() -> None:
    release = threading.Event()
    task = asyncio.create_task(off_loop(lambda: release.wait(30)))
    await asyncio.sleep(0.05)  # the loop runs while the work holds its thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    release.set()


def test_a_process_exits_without_waiting_for_work_still_running() -> None:
    """The worker killed after its stop timeout: a cancelled pass's settle kept it alive
    (the default executor's threads are joined at exit)."""
    script = (
        "import asyncio, time\n"
        "from trust.offload import off_loop\n"
        "async def main():\n"
        "    task = asyncio.create_task(off_loop(lambda: time.sleep(60)))\n"
        "    await asyncio.sleep(0.2)\n"
        "    task.cancel()\n"
        "asyncio.run(main())\n"
    )
    # a wait for the 60 s of work would run past the timeout (TimeoutExpired)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=50)
