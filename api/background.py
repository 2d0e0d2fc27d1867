"""The loops the server runs beside the requests: the SLA sweeper, and the notification worker
with the daily briefing. Each pass is one unit of work; a failed pass is logged and tried again."""

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api.deps import AppContext
from cases import text
from cases.accounts.housekeeping import prune
from cases.notify.worker import deliver
from cases.reports.briefing import run_briefing
from cases.supervision.sweeper import sweep

log = logging.getLogger("shoujie")
#: How often the server's sweep loop also prunes ended sessions and idle guess counters.
PRUNE_EVERY = timedelta(hours=1)


async def sweep_loop(ctx: AppContext, interval: float) -> None:
    """Sweep now, then every ``interval`` seconds; a failed pass is logged and retried later."""
    pruned_at = None
    while True:
        try:
            result = await run_in_threadpool(sweep, ctx.engine, ctx.rt, now=ctx.clock.now())
            if result["examined"]:
                log.info("sweep: %s", result)
            # The account tables' housekeeping needs no minute's precision: hourly is plenty.
            real_now = ctx.session_now()
            if pruned_at is None or real_now - pruned_at >= PRUNE_EVERY:
                await run_in_threadpool(prune, ctx.engine, real_now)
                pruned_at = real_now
        except Exception:  # noqa: BLE001  (the server must outlive a failed pass)
            log.exception("sweep failed")
        await asyncio.sleep(interval)


async def deliver_loop(
    ctx: AppContext, interval: float, stop: threading.Event | None = None
) -> None:
    """Deliver the outbox (and, at its hour, the daily briefing) now, then every ``interval`` s;
    ``stop`` (set at shutdown) ends a pass early, giving back what it claimed and did not try."""

    def one_pass() -> dict[str, Any]:
        now = ctx.clock.now()
        try:
            run_briefing(ctx.engine, ctx.rt, now)
        except Exception:  # noqa: BLE001  (a failed briefing must not hold up the deliveries)
            log.exception("daily briefing failed")
        return deliver(ctx.engine, ctx.rt, now, clock=ctx.clock.now, stop=stop)

    while True:
        try:
            result = await run_in_threadpool(one_pass)
            if any(result.values()):
                log.info("deliver: %s", result)
        except Exception:  # noqa: BLE001  (the server must outlive a failed pass; nothing is lost)
            log.exception("delivery failed")
        await asyncio.sleep(interval)


def warm_text() -> None:
    """Load jieba's tables (seconds) so the first repeat look-up does not wait for them."""
    try:
        text.warm()
    except Exception:  # noqa: BLE001  (the first look-up will load them, or say what is wrong)
        log.exception("loading the text tables failed")


def lifespan(
    ctx: AppContext, *, sweep_interval: float, deliver_interval: float
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    """The app's lifespan: both loops run while it serves (an interval of 0 turns one off), and
    jieba's tables load in a thread once it has started."""

    @contextlib.asynccontextmanager
    async def running(app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        # Not awaited: the server answers at once, and the first intake finds the tables loaded.
        threading.Thread(target=warm_text, name="shoujie-warm-text", daemon=True).start()
        loops = []
        if sweep_interval:
            loops.append(asyncio.create_task(sweep_loop(ctx, sweep_interval)))
        if deliver_interval:
            loops.append(asyncio.create_task(deliver_loop(ctx, deliver_interval, stop)))
        try:
            yield
        finally:
            # The pass running in its thread sees this and releases its unsent batch.
            stop.set()
            for task in loops:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return running
