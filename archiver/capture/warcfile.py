"""WARC/1.1 files on disk: write records (one gzip member each), rotate, repair a torn tail.

Every record is its own gzip member, so any record can be read alone from its offset
(what the ``captures`` index and replay tools rely on), and a file cut anywhere is
readable up to the last complete member: a crash mid-write leaves at most one torn
member at the end, which :func:`repair_tail` finds and cuts off.

Durability: each exchange is flushed to the operating system before its ``captures``
row is committed (a killed process loses nothing that was committed), and the file is
fsync'd every :data:`FSYNC_EVERY_BYTES` and when it is closed; the archive itself runs
SQLite with ``synchronous=NORMAL``, which makes the same promise (only an OS crash can
lose the last moments).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

WARC_VERSION = "WARC/1.1"
FSYNC_EVERY_BYTES = 16 * 1024 * 1024
_READ_CHUNK = 1024 * 1024


def payload_digest(body: bytes) -> str:
    """The ``WARC-Payload-Digest`` warcio writes for ``body``: ``sha1:`` + base32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass
class Written:
    """Where a record went: the file and its gzip member's offset and length."""

    path: Path
    offset: int
    length: int


class WarcFiles:
    """The WARC files of one crawl run: ``<archive>-<run>-<n>.warc.gz``, rotated by size."""

    def __init__(self, directory: Path, prefix: str, max_bytes: int, info: dict[str, str]):
        self.directory = directory
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.info = info
        self.number = 0
        self.path: Path | None = None
        self._file: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self._unsynced = 0

    def write(self, records: list[ArcWarcRecord]) -> list[Written]:
        """Append ``records`` (one exchange) to the current file, flushed; rotate first if full."""
        if self._file is None or self._file.tell() >= self.max_bytes:
            self._open_next()
        assert self._file is not None and self._writer is not None and self.path is not None
        written = []
        for record in records:
            offset = self._file.tell()
            self._writer.write_record(record)
            written.append(Written(self.path, offset, self._file.tell() - offset))
        self._file.flush()
        self._unsynced += sum(w.length for w in written)
        if self._unsynced >= FSYNC_EVERY_BYTES:
            os.fsync(self._file.fileno())
            self._unsynced = 0
        return written

    def close(self) -> None:
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = self._writer = None

    def _open_next(self) -> None:
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:  # a name is never reused, even when an older file has it
            self.number += 1
            path = self.directory / f"{self.prefix}-{self.number}.warc.gz"
            try:
                self._file = open(path, "xb")  # noqa: SIM115 - kept open across calls
                break
            except FileExistsError:
                continue
        self.path = path
        self._writer = WARCWriter(self._file, gzip=True, warc_version=WARC_VERSION)
        self._writer.write_record(self._writer.create_warcinfo_record(path.name, self.info))


def complete_length(path: Path, start: int = 0) -> int:
    """Bytes of ``path`` made of complete gzip members, scanning from ``start`` (a member start)."""
    good = start
    with open(path, "rb") as file:
        file.seek(start)
        decompressor = zlib.decompressobj(wbits=31)
        position = start
        while True:
            chunk = file.read(_READ_CHUNK)
            if not chunk:
                return good
            while chunk:
                try:
                    decompressor.decompress(chunk)
                except zlib.error:
                    return good
                if not decompressor.eof:
                    position += len(chunk)
                    break
                used = len(chunk) - len(decompressor.unused_data)
                position += used
                good = position
                chunk = decompressor.unused_data
                decompressor = zlib.decompressobj(wbits=31)


def repair_tail(path: Path, start: int = 0) -> int:
    """Cut a torn record off the end of ``path``; returns how many bytes were cut (0 if none)."""
    size = path.stat().st_size
    good = complete_length(path, start)
    if good < size:
        with open(path, "r+b") as file:
            file.truncate(good)
            file.flush()
            os.fsync(file.fileno())
    return size - good


def read_member(path: Path, offset: int, length: int) -> bytes:
    """The raw gzip member at ``offset``."""
    with open(path, "rb") as file:
        file.seek(offset)
        return file.read(length)


def parse_record(member: bytes) -> tuple[ArcWarcRecord, bytes]:
    """The WARC record in one gzip member, with its HTTP payload exactly as stored.

    The payload is read raw (``raw_stream``): still compressed if the server compressed
    it, since that is what was received.
    """
    iterator = iter(ArchiveIterator(io.BytesIO(member)))
    record = next(iterator)
    return record, record.raw_stream.read()
