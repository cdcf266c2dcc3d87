"""`archiver thread --as-of` and the `thread_as_of` query: the thread as it was at a time.

An archive is built with the real save code from four crawls of the seed article
(day 1 as published; day 2 a reply arrives and a comment is edited and re-voted; day 3
a comment and a parent with its reply are removed; day 4 one removed comment is back),
then the thread is read at times before, between and after those crawls.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from archiver.cli import cli
from archiver.items import Comment
from archiver.storage import open_archive
from archiver.threads import THREAD_AS_OF_SQL, normalize_time
from tests.test_history import T, crawl, with_comment, without
from tests.test_storage import SEED_POST_ID, SEED_URL, seed_article

ARCHIVER = Path(sys.executable).with_name("archiver")

NEW_REPLY = Comment(
    comment_id=309,
    parent_id=301,
    depth=2,
    position=2,
    author="新顔",
    posted_raw="2022年 2月 2日",
    body_text="後から来た返信",
    body_html="<p>後から来た返信</p>",
    votes_raw="1",
    votes=1,
)


def day_versions():
    day1 = seed_article()
    comments = list(day1.comments)
    comments.insert(1, NEW_REPLY)
    day2 = replace(day1, comments=comments)
    day2 = with_comment(day2, 304, body_text="書き直した意見", body_html="<p>書き直した意見</p>")
    day2 = with_comment(day2, 301, votes_raw="40", votes=40)
    day3 = without(day2, 306, 307, 308)
    day4 = without(day2, 307, 308)
    return [day1, day2, day3, day4]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("thread") / "archive.db"
    db = open_archive(path)
    for day, version in enumerate(day_versions(), start=1):
        crawl(db, version, day)
    db.close()
    return path


def thread(archive, *args):
    result = CliRunner().invoke(cli, ["thread", str(archive), *map(str, args), "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def shown(entries):
    return [
        (e["comment_id"], e["depth"], e["parent_id"], e["votes"], e["edited"], e["deleted"])
        for e in entries
    ]


def expected(version, edited=(), deleted=(), extra=()):
    """Rows the thread should show: ``version``'s comments, plus removed ones still known."""
    comments = {c.comment_id: c for c in [*version.comments, *extra]}
    order = [c.comment_id for c in seed_article().comments]
    if 309 in comments:
        order.insert(1, 309)
    return [
        (
            i,
            comments[i].depth,
            comments[i].parent_id,
            comments[i].votes,
            i in edited,
            i in deleted,
        )
        for i in order
        if i in comments
    ]


def test_before_the_first_crawl_nothing_is_known(archive):
    assert thread(archive, SEED_POST_ID, "--as-of", "2022-01-01") == []


def test_as_first_seen(archive):
    day1 = day_versions()[0]
    entries = thread(archive, SEED_POST_ID, "--as-of", T[1])
    assert shown(entries) == expected(day1)
    assert [e["body_text"] for e in entries] == [c.body_text for c in day1.comments]


def test_between_crawls_the_earlier_state_holds(archive):
    day1 = day_versions()[0]
    between = T[1].replace("T12:", "T18:")
    assert shown(thread(archive, SEED_POST_ID, "--as-of", between)) == expected(day1)


def test_after_an_edit_and_a_reply(archive):
    day2 = day_versions()[1]
    entries = thread(archive, SEED_POST_ID, "--as-of", T[2])
    assert shown(entries) == expected(day2, edited={304})
    by_id = {e["comment_id"]: e for e in entries}
    assert by_id[304]["body_text"] == "書き直した意見"
    assert by_id[304]["revision"] == 2
    assert by_id[309]["author"] == "新顔"


def test_after_removals_they_are_shown_and_marked(archive):
    day2, day3 = day_versions()[1:3]
    entries = thread(archive, SEED_POST_ID, "--as-of", T[3])
    assert shown(entries) == expected(day2, edited={304}, deleted={306, 307, 308})
    # A removed comment keeps the last text seen.
    seed = {c.comment_id: c for c in seed_article().comments}
    assert {e["comment_id"]: e["body_text"] for e in entries if e["deleted"]} == {
        i: seed[i].body_text for i in (306, 307, 308)
    }


def test_now_shows_the_return(archive):
    day2 = day_versions()[1]
    assert shown(thread(archive, SEED_POST_ID)) == expected(day2, edited={304}, deleted={307, 308})


def test_text_output_and_url_lookup(archive):
    result = CliRunner().invoke(cli, ["thread", str(archive), SEED_URL, "--as-of", T[3]])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[2] == "#301 tofu | 2022年 1月 27日 | votes 40"
    assert "    #309 新顔 | 2022年 2月 2日 | votes 1" in lines
    assert "#307 戦略眼 | 2022年 1月 27日 | votes 5 [deleted]" in lines
    assert "    #308 匿名さん | 2022年 1月 27日 | votes 4 [deleted]" in lines
    assert "#304 幽霊 | 2022年 1月 27日 | votes 4 [edited]" in lines


def test_bad_input_is_one_clear_line(archive, tmp_path):
    result = CliRunner().invoke(cli, ["thread", str(archive), str(SEED_POST_ID), "--as-of", "昨日"])
    assert result.exit_code == 2
    assert "not an ISO 8601 date or time: '昨日'" in result.output
    result = CliRunner().invoke(cli, ["thread", str(archive), "99999"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no archived article 99999"
    proc = subprocess.run(
        [str(ARCHIVER), "thread", str(tmp_path / "none.db"), "1"], capture_output=True, text=True
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_canned_query_is_the_same_sql(archive):
    conn = sqlite3.connect(archive)
    rows = conn.execute(THREAD_AS_OF_SQL, {"article_id": SEED_POST_ID, "at": T[3]}).fetchall()
    ids = [row[0] for row in rows]
    assert ids == [e["comment_id"] for e in thread(archive, SEED_POST_ID, "--as-of", T[3])]


def test_normalize_time():
    assert normalize_time("2022-02-03") == "2022-02-03T00:00:00+09:00"
    assert normalize_time("2022-02-03T09:30") == "2022-02-03T09:30:00+09:00"
    assert normalize_time("2022-02-03T00:30:00Z") == "2022-02-03T09:30:00+09:00"
    with pytest.raises(ValueError):
        normalize_time("2022/02/03")
