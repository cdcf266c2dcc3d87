"""Time the date and vote normalizers on a realistic mix, cached and uncached.

Prints the median time per call. The mix is about 1000 distinct date strings dominated
by grandfleet's ``2022年 1月 27日`` comment dates, plus the machine attributes, other
separators, eras, kanji and full-width forms, relative forms, RSS dates and junk; and
about 1000 vote strings dominated by plain counters. If dateparser is installed (it is
not a project dependency) it is timed on the same date strings, and the share of strings
on which it agrees with our parser is printed.

Run: ``.venv/bin/python bench/bench_normalize.py``
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from archiver.normalize import TOKYO, ParsedDate, parse_japanese_date, parse_vote_count
from archiver.normalize import dates as dates_module
from archiver.normalize import votes as votes_module
from archiver.normalize.date_values import resolve

NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=TOKYO)
ROUNDS = 5
WEEKDAYS = "月火水木金土日"


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def date_mix(rng: random.Random) -> list[str]:
    days = [date(2019, 1, 1) + timedelta(days=i) for i in range(0, 2000)]
    strings: set[str] = set()
    # 60 %: grandfleet comment dates
    while len(strings) < 600:
        d = rng.choice(days)
        strings.add(f"{d.year}年 {d.month}月 {d.day}日")

    def add(count: int, make: Callable[[datetime], str]) -> None:
        target = len(strings) + count
        while len(strings) < target:
            d = rng.choice(days)
            t = datetime(
                d.year, d.month, d.day, rng.randrange(24), rng.randrange(60), rng.randrange(60)
            )
            strings.add(make(t))

    add(80, lambda t: t.strftime("%Y-%m-%dT%H:%M:%S+09:00"))  # datetime attributes
    add(60, lambda t: t.strftime("%Y.%m.%d"))  # TCD article dates
    add(40, lambda t: f"{t.year}/{t.month:02}/{t.day:02}({WEEKDAYS[t.weekday()]}) {t:%H:%M:%S}")
    add(40, lambda t: f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}")
    add(
        20,
        lambda t: (
            f"{t.year}年{t.month}月{t.day}日 {t.hour % 12}:{t:%M} {'PM' if t.hour >= 12 else 'AM'}"
        ),
    )
    add(
        20,
        lambda t: (
            f"令和{t.year - 2018}年{t.month}月{t.day}日"
            if t.year > 2019
            else f"R2.{t.month}.{t.day}"
        ),
    )
    add(20, lambda t: fullwidth(f"{t.year}年{t.month}月{t.day}日"))
    add(20, lambda t: t.strftime("%a, %d %b %Y %H:%M:%S +0000"))
    add(20, lambda t: f"投稿日：{t.year}年{t.month}月{t.day}日")
    add(20, lambda t: f"{t.year}年{t.month}月{t.day}日 {t.hour}時{t.minute}分")
    relative = [f"{n}{unit}前" for n in range(1, 13) for unit in ("分", "時間", "日", "ヶ月")]
    strings.update(
        relative
        + ["たった今", "昨日", "今日", "一昨日", "昨日 10:12", "1月27日", "二〇二二年一月二十七日"]
    )
    strings.update(["返信", "コメント", "不明", "", "2022年2月30日", "----年--月--日", "13月1日"])
    result = sorted(strings)
    rng.shuffle(result)
    return result


def vote_mix(rng: random.Random) -> list[str]:
    strings = [str(rng.randrange(0, 200)) for _ in range(800)]
    strings += [f"{rng.randrange(1000, 99999):,}" for _ in range(60)]
    strings += [f"👍 {rng.randrange(100)}" for _ in range(40)]
    strings += [f"{rng.randrange(1, 99) / 10}k" for _ in range(30)]
    strings += [fullwidth(str(rng.randrange(100))) for _ in range(30)]
    strings += [
        "いいね！5",
        "12票",
        "（7）",
        "[3]",
        "+3",
        "−2",
        "3.4万",
        "1万2千",
        "",
        "12 34",
        "1.5",
    ]
    rng.shuffle(strings)
    return strings


def median_us(
    call: Callable[[str], object], strings: list[str], clear: Callable[[], None] | None
) -> float:
    """Median over every single call, ``ROUNDS`` times over the mix (one call per timing)."""
    timings: list[int] = []
    clock = time.perf_counter_ns
    for _ in range(ROUNDS):
        if clear is not None:
            clear()
        for text in strings:
            start = clock()
            call(text)
            timings.append(clock() - start)
    overhead = min(_empty_timings())
    return max(statistics.median(timings) - overhead, 0) / 1000


def _empty_timings() -> list[int]:
    clock = time.perf_counter_ns
    out = []
    for _ in range(2000):
        start = clock()
        out.append(clock() - start)
    return out


def main() -> None:
    rng = random.Random(20220127)
    dates = date_mix(rng)
    votes = vote_mix(rng)
    print(f"dates: {len(dates)} distinct strings, {ROUNDS} rounds, median per call")

    def public_date(text: str) -> object:
        return parse_japanese_date(text, NOW)

    def bare_date(text: str) -> object:
        """The parser with no cache at all (what the cache saves on a miss)."""
        spec = dates_module._analyze(text)
        if spec is None or type(spec) is ParsedDate:
            return spec
        return resolve(spec, NOW)

    date_clear = dates_module._analyze_cached.cache_clear
    vote_clear = votes_module._parse_cached.cache_clear
    print(f"  parse_japanese_date, no cache:     {median_us(bare_date, dates, None):.2f} us")
    print(
        f"  parse_japanese_date, cache miss:   {median_us(public_date, dates, date_clear):.2f} us"
    )
    print(f"  parse_japanese_date, cache hit:    {median_us(public_date, dates, None):.2f} us")
    print(f"votes: {len(votes)} strings ({len(set(votes))} distinct), median per call")
    print(
        f"  parse_vote_count, no cache:        {median_us(votes_module._parse, votes, None):.2f} us"
    )
    print(
        f"  parse_vote_count, cache cleared:   {median_us(parse_vote_count, votes, vote_clear):.2f} us"
    )
    print(f"  parse_vote_count, cache hit:       {median_us(parse_vote_count, votes, None):.2f} us")

    try:
        import dateparser  # noqa: PLC0415  (optional, for the comparison only)
    except ImportError:
        print("  dateparser: not installed, no comparison")
        return
    dp_settings = {
        "RELATIVE_BASE": NOW.replace(tzinfo=None),
        "TIMEZONE": "Asia/Tokyo",
        "RETURN_AS_TIMEZONE_AWARE": True,
    }

    def with_dateparser(text: str) -> object:
        return dateparser.parse(text, languages=["ja", "en"], settings=dp_settings)

    with_dateparser("2022年 1月 27日")  # warm its caches, as a long crawl would
    start = time.perf_counter()
    agree = 0
    for text in dates:
        ours = parse_japanese_date(text, NOW)
        theirs = with_dateparser(text)
        if ours is None or theirs is None:
            agree += ours is None and theirs is None
        elif isinstance(ours, datetime):
            agree += theirs.replace(microsecond=0) == ours.replace(microsecond=0)
        else:
            agree += theirs.date() == ours
    elapsed = time.perf_counter() - start
    print(
        f"dateparser {dateparser.__version__} (languages ja, en), same date strings:\n"
        f"  median {median_us(with_dateparser, dates[:300], None):.1f} us per call (first 300);"
        f" same answer as ours on {agree}/{len(dates)} ({elapsed:.1f} s for all)"
    )


if __name__ == "__main__":
    main()
