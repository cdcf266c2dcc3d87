"""One run at a time per archive: an advisory lock file beside the archive.

``<archive>.lock`` is locked with ``flock`` for the life of the crawl process. The
operating system releases it when the process ends in any way (kill -9, OOM killer,
reboot), so a lock left by a dead process is simply taken over; the file's text (pid,
host, since when) only serves to tell a second run who holds the archive. A run that
ends normally removes the file.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import IO

#: Exit status of a crawl that found its archive held by another live run
#: (EX_TEMPFAIL of sysexits.h: "try again later"), so cron wrappers can tell it apart.
EXIT_ARCHIVE_BUSY = 75


@dataclass(frozen=True)
class Holder:
    pid: int | None
    host: str | None
    since: str | None

    def describe(self) -> str:
        who = f"process {self.pid}" if self.pid else "another process"
        where = f" on {self.host}" if self.host else ""
        when = f" since {self.since}" if self.since else ""
        return f"{who}{where}{when}"


class ArchiveBusyError(Exception):
    """Another live run holds the archive."""

    def __init__(self, path: Path, holder: Holder) -> None:
        super().__init__(f"{path} is being crawled by {holder.describe()}")
        self.path = path
        self.holder = holder


class RunLock:
    """The run lock of the archive at ``archive_path`` (``<archive>.lock``)."""

    def __init__(self, archive_path: str | Path) -> None:
        self.archive_path = Path(archive_path)
        self.path = self.archive_path.with_name(self.archive_path.name + ".lock")
        self._file: IO[str] | None = None

    def acquire(self, since: str) -> None:
        """Take the lock or raise :class:`ArchiveBusyError` at once (never waits)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(handle)
                handle.close()
                raise ArchiveBusyError(self.archive_path, holder) from None
            # The holder before us removes the file as it lets go: a lock on a removed
            # file is no lock, so take the one that is at the path now.
            try:
                current = os.stat(self.path).st_ino
            except FileNotFoundError:
                current = None
            if current == os.fstat(handle.fileno()).st_ino:
                break
            handle.close()
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": since}))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            # Removed while still held (no lock file is left beside the archive); a run
            # waiting on this file sees it gone and takes a new one (see acquire).
            self.path.unlink(missing_ok=True)
            self._file.close()  # closing the descriptor releases the flock
            self._file = None


def _read_holder(handle: IO[str]) -> Holder:
    handle.seek(0)
    try:
        data = json.loads(handle.read() or "{}")
    except ValueError:
        data = {}
    return Holder(pid=data.get("pid"), host=data.get("host"), since=data.get("since"))
