"""Start a real server subprocess on 127.0.0.1 for a test, and stop it afterwards."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(command: Sequence[str], ready_url: str, timeout: float = 30) -> Iterator[None]:
    """Run ``command`` until the block ends; wait until ``ready_url`` answers first."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(ready_url, timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stdout.read().decode()) from None
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)
