"""What a run does before it fetches anything: check its settings and archive, take the
run lock, close the runs of killed processes, and read the frontier.

Problems found here are the operator's to fix (a bad setting, an archive that is not
one, another run holding the archive), so they end the process with one clear line on
stderr and a distinct exit status, never a traceback; nothing has been written yet.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

from archiver.crawling.frontier import Frontier, close_killed_runs, load_frontier
from archiver.crawling.lock import EXIT_ARCHIVE_BUSY, ArchiveBusyError, RunLock
from archiver.crawling.revisit import TOKYO, PolicyError, RevisitPolicy, parse_now
from archiver.schema import NotAnArchiveError

logger = logging.getLogger(__name__)

#: Exit status of a run refused for a bad argument, setting or archive (EX_USAGE).
EXIT_USAGE = 64


class RunSetupError(Exception):
    """The run cannot start; ``status`` is the process's exit status."""

    def __init__(self, message: str, status: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class RunSetup:
    policy: RevisitPolicy
    clock: datetime | None  # ARCHIVE_NOW, when the run's clock is set
    now: datetime  # the moment due-ness is judged against
    frontier: Frontier = field(default_factory=Frontier)
    lock: RunLock | None = None
    killed_runs: list[int] = field(default_factory=list)


def prepare_run(settings: Any) -> RunSetup:
    """Check settings and archive, lock it, close killed runs, load the frontier."""
    try:
        policy = RevisitPolicy.from_settings(settings)
        clock = parse_now(settings.get("ARCHIVE_NOW"))
    except PolicyError as error:
        raise RunSetupError(str(error)) from None
    # A reparse (archiver.capture) judges due-ness at the replayed run's own start.
    replayed_now = parse_now(settings.get("ARCHIVE_REPLAY_NOW"))
    setup = RunSetup(policy=policy, clock=clock, now=clock or replayed_now or datetime.now(TOKYO))
    db_path = settings.get("ARCHIVE_DB")
    if not db_path:
        return setup
    lock = RunLock(db_path)
    try:
        lock.acquire(since=datetime.now(TOKYO).isoformat(timespec="seconds"))
    except ArchiveBusyError as error:
        raise RunSetupError(f"{error}; not starting a second run", EXIT_ARCHIVE_BUSY) from None
    except OSError as error:
        raise RunSetupError(f"ARCHIVE_DB {db_path}: cannot lock the archive ({error})") from None
    setup.lock = lock
    from archiver.storage import now_tokyo, open_archive  # storage imports the pipeline side

    try:
        db = open_archive(db_path)
    except (NotAnArchiveError, sqlite3.Error, OSError) as error:
        lock.release()
        raise RunSetupError(f"ARCHIVE_DB {db_path} is not usable: {error}") from None
    try:
        setup.killed_runs = close_killed_runs(db.conn, now_tokyo())
    finally:
        db.close()
    if setup.killed_runs:
        logger.warning(
            "closed %s run(s) left running by a process that no longer exists: %s",
            len(setup.killed_runs),
            ", ".join(map(str, setup.killed_runs)),
        )
    setup.frontier = load_frontier(db_path, policy)
    return setup


def abort(message: str, status: int) -> NoReturn:
    """End the crawl process now with one line on stderr (and in the log)."""
    logger.error("%s", message)
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.write(f"archiver: error: {message}\n")
    sys.stderr.flush()
    os._exit(status)  # Scrapy's runner would print a traceback and exit 0
