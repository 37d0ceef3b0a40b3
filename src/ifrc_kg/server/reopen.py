"""A new build swapped into ``dist/`` while ``serve`` runs is noticed and served.

``ifrc-kg build`` publishes with two renames (``outdir.swap``): ``dist/manifest.json`` is then
another file (another inode). Every ``POLL_S`` seconds the server compares it with the one it
opened; when it changed, the new build is opened (verified, its store opened, query workers
started) off the event loop, and only then replaces the one being served. The previous build
is closed ``GRACE_S`` seconds later, so requests that started on it finish on it (its store
files stay readable while open, though the swap removed their names). A new build that does
not verify is logged and not served; the previous one stays.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI

from ifrc_kg.config import Settings
from ifrc_kg.errors import IfrcKgError
from ifrc_kg.server.site import Site

log = logging.getLogger(__name__)

POLL_S = 2.0
GRACE_S = 30.0


def publication(dist: Path) -> tuple[int, int] | None:
    """What identifies a publication: ``manifest.json``'s inode and modification time."""
    try:
        stat = (dist / "manifest.json").stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


async def watch(app: FastAPI, settings: Settings, dist: Path, modules: Path | None) -> None:
    """Serve each new publication of ``dist`` as it appears (runs until cancelled; the builds
    it set aside and has not closed yet are in ``app.state.retired``, for the lifespan)."""
    served = publication(dist)
    closing: set[asyncio.Task[None]] = set()
    app.state.retired = []
    while True:
        await asyncio.sleep(POLL_S)
        now = publication(dist)
        if now is None or now == served:
            continue
        served = now
        try:
            opened = await asyncio.to_thread(Site.open, settings, dist, modules)
        except (IfrcKgError, OSError) as error:
            log.error("a new build in %s is not served (%s); still serving the last", dist, error)
            continue
        previous: Site = app.state.site
        app.state.site = opened
        app.state.retired.append(previous)
        log.info("serving the new build of %s (built %s)", dist, opened.manifest.get("built"))
        task = asyncio.create_task(_close_later(app, previous))
        closing.add(task)
        task.add_done_callback(closing.discard)


async def _close_later(app: FastAPI, site: Site) -> None:
    await asyncio.sleep(GRACE_S)
    await asyncio.to_thread(site.close)
    app.state.retired.remove(site)
