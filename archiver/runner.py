"""Run ``scrapy crawl`` as a subprocess, the way the operator's cron job does.

The demo, the end-to-end tests and the benchmarks all crawl through this one function,
so what they exercise is exactly the command a user runs. ``SCRAPY_SETTINGS_MODULE``
is set so the crawl works from any directory once the project is installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

# Politeness is for real sites. The bundled sample site runs on this machine, so the
# demo and the tests crawl it at full speed (robots.txt is still obeyed).
LOCAL_SITE_SETTINGS: dict[str, str] = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
}


def crawl_command(
    spider: str,
    start_url: str,
    settings: Mapping[str, str] | None = None,
    spider_args: Mapping[str, str] | None = None,
) -> list[str]:
    """The argument list of ``scrapy crawl SPIDER -a start_url=... -s NAME=VALUE ...``."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"start_url={start_url}"]
    for name, value in (spider_args or {}).items():
        command += ["-a", f"{name}={value}"]
    for name, value in (settings or {}).items():
        command += ["-s", f"{name}={value}"]
    return command


def run_crawl(
    spider: str,
    start_url: str,
    archive_db: str | Path | None,
    settings: Mapping[str, str] | None = None,
    spider_args: Mapping[str, str] | None = None,
    log_file: str | Path | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """Crawl ``start_url`` into ``archive_db`` with a real ``scrapy crawl`` process.

    ``archive_db=None`` disables item pipelines entirely (used by the benchmark that
    measures what storage costs). The crawl's log goes to ``log_file`` when given,
    else it is captured in the returned process's ``stderr``.
    """
    all_settings = dict(settings or {})
    if archive_db is None:
        all_settings["ITEM_PIPELINES"] = "{}"
        all_settings["ARCHIVE_DB"] = ""  # no archive: nothing stored, no frontier read
    else:
        all_settings["ARCHIVE_DB"] = str(archive_db)
    if log_file is not None:
        all_settings["LOG_FILE"] = str(log_file)
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="archiver.settings")
    return subprocess.run(
        crawl_command(spider, start_url, all_settings, spider_args),
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
