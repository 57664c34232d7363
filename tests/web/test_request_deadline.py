"""`RequestDeadline`: asyncio.timeout's behaviour, checked side by side with it.

Each case runs the same body under `asyncio.timeout` and under `RequestDeadline` and
expects the same outcome: finishing in time, timing out (TimeoutError, the task no longer
cancelling), a cancellation from outside passing through, and one that was pending before
the block.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from backfill_gateway.web.request_deadline import RequestDeadline


@contextlib.asynccontextmanager
async def under_asyncio_timeout(seconds):
    async with asyncio.timeout(seconds):
        yield


@contextlib.asynccontextmanager
async def under_request_deadline(seconds):
    with RequestDeadline(seconds):
        yield


DEADLINES = [
    pytest.param(under_asyncio_timeout, id="asyncio.timeout"),
    pytest.param(under_request_deadline, id="RequestDeadline"),
]


@pytest.mark.parametrize("deadline", DEADLINES)
async def test_a_block_finishing_in_time_keeps_its_result_and_no_timer(deadline):
    async with deadline(0.01):
        await asyncio.sleep(0)
        result = 42
    assert result == 42
    # Nothing fires later: the task is not cancelled when the deadline would have passed.
    await asyncio.sleep(0.05)
    assert asyncio.current_task().cancelling() == 0


@pytest.mark.parametrize("deadline", DEADLINES)
async def test_a_block_over_its_deadline_raises_timeout_error(deadline):
    reached_the_end = False
    with pytest.raises(TimeoutError):
        async with deadline(0.01):
            await asyncio.sleep(5)
            reached_the_end = True
    assert not reached_the_end
    # The deadline's own cancellation is withdrawn: the task goes on normally.
    assert asyncio.current_task().cancelling() == 0
    await asyncio.sleep(0)


@pytest.mark.parametrize("deadline", DEADLINES)
async def test_a_cancellation_from_outside_passes_through(deadline):
    started = asyncio.Event()

    async def body():
        async with deadline(5):
            started.set()
            await asyncio.sleep(5)

    task = asyncio.create_task(body())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()


@pytest.mark.parametrize("deadline", DEADLINES)
async def test_an_outside_cancellation_with_the_deadline_is_not_swallowed(deadline):
    # The deadline passes and another cancellation arrives before the block is left (it
    # is requested here while the deadline's CancelledError is handled, so the two
    # always meet): the outside one wins, as with asyncio.timeout.
    async def body():
        async with deadline(0.01):
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                asyncio.current_task().cancel()
                raise

    task = asyncio.create_task(body())
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()


def test_outside_a_task_it_refuses():
    async def no_task():
        # A coroutine run by the loop directly is inside a task; call __enter__ from a
        # callback instead, where there is none.
        loop = asyncio.get_running_loop()
        future = loop.create_future()

        def enter():
            try:
                RequestDeadline(1).__enter__()
            except RuntimeError as error:
                future.set_result(error)
            else:
                future.set_result(None)

        loop.call_soon(enter)
        return await future

    error = asyncio.run(no_task())
    assert isinstance(error, RuntimeError)
    assert "inside a task" in str(error)
