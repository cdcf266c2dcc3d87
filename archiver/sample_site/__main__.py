"""``python -m archiver.sample_site``: serve the sample site until killed.

The first line of stdout is the base URL (flushed at once) so that scripts and tests
can start the server on a free port and read where it listens.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from archiver.sample_site import load_site
from archiver.sample_site.server import SampleSiteServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m archiver.sample_site",
        description="Serve a local replica of grandfleet.info on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument(
        "--articles", type=int, default=None, help="serve a synthetic site of N articles"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the site and its changes")
    parser.add_argument(
        "--day", type=int, default=0, help="serve the site as it is on day N (0 = as shipped)"
    )
    parser.add_argument(
        "--no-validators",
        action="store_true",
        help="send no ETag/Last-Modified and ignore conditional requests",
    )
    parser.add_argument("--access-log", default=None, help="append every requested path to FILE")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = parser.parse_args(argv)
    if args.day < 0:
        parser.error("--day must be 0 or more")
    if args.articles is not None and args.articles < 1:
        parser.error("--articles must be 1 or more")

    site = load_site(synthetic_articles=args.articles, seed=args.seed, day=args.day)
    server = SampleSiteServer(
        site,
        "127.0.0.1",
        args.port,
        access_log=args.access_log,
        verbose=args.verbose,
        validators=not args.no_validators,
    )
    print(server.url, flush=True)
    stop = threading.Event()

    def handle_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle_signal)
    signal.signal(signal.SIGINT, handle_signal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    while not stop.wait(0.5):
        pass
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
