"""`newswatch notify` end to end on the real broker, with real receivers on loopback
(an aiohttp webhook receiver, aiosmtpd): worker + notifier + replays.

One signed notification per story, emails, a 400 destination dead-lettered with its
token masked; a kill -9 mid-stream loses nothing and never shows a receiver two keys for
one story; a hanging webhook delays no email by more than its timeout and holds back
its records' offsets; SIGHUP reloads the subscriptions (an invalid file keeps the old
ones); `--print` shows what would be sent and sends nothing; `newswatch run` starts the
notifier when NEWSWATCH_SUBSCRIPTIONS is set.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.request import urlopen

import pytest

from newswatch.notify.render import verify_signature
from newswatch.notify.routing import notification_id, story_key
from newswatch.notify.subscriptions import Destination
from newswatch.tagger.process import WorkerProcess
from tests.helpers.environment import run_newswatch
from tests.helpers.kafka import kcat_read, wait_for_records
from tests.helpers.notifier import (
    SECRET,
    STORIES,
    WIRE,
    articles_file,
    committed,
    distinct_stories,
    keys_by_story,
    replay,
    smtp_env,
    story_of,
    subscription,
    subscriptions_file,
    timed_records,
    until,
    with_subscriptions,
)
from tests.helpers.receivers import Request, http_receiver, one_at_a_time, smtp_receiver, status
from tests.helpers.workers import StartWorker
from tests.integration.test_stories_pipeline import ARTICLES

pytestmark = [pytest.mark.integration, pytest.mark.stories]
WATCHLISTS = ["sanctions", "korean_peninsula", "arms_transfers"]
# A third sanctions story, of its own (no other watch-list matches it).
THIRD = {
    "id": "third-1",
    "title": "Treasury imposes sanctions on Syrian oil smugglers",
    "body": "The US Treasury imposed sanctions on Friday on a network smuggling Syrian oil, freezing "
    "assets of six companies and two tankers. The asset freeze bars Americans from dealing with them.",
    "source": "Wire",
}


async def test_one_notification_per_story_signed_emailed_and_dead_lettered(
    notify_env: dict[str, str],
    start_worker: StartWorker,
    start_notifier: Callable[[dict[str, str]], WorkerProcess],
    tmp_path: Path,
) -> None:
    async with http_receiver() as hook, http_receiver(status(400)) as bad:
        with smtp_receiver() as smtp:
            env = with_subscriptions(notify_env, tmp_path, hook, bad, smtp)
            await asyncio.to_thread(start_worker, env)
            notifier = await asyncio.to_thread(start_notifier, env)
            await replay(env, tmp_path, ARTICLES)
            await until(
                lambda: len(hook.requests) >= 2 and len(smtp.messages) >= 2, 90, "2 webhooks, 2 emails"
            )
            dlq_topic = env["NEWSWATCH_NOTIFICATIONS_DLQ_TOPIC"]
            bootstrap = env["NEWSWATCH_KAFKA_BOOTSTRAP"]
            await until(lambda: len(kcat_read(bootstrap, dlq_topic)) >= 2, 60, "2 dead letters")
            await asyncio.sleep(3)  # anything more (a copy notified, a repeat) would arrive by now

            assert len(hook.requests) == 2, [r.body[:80] for r in hook.requests]
            assert {story: len(keys) for story, keys in keys_by_story(hook).items()} == dict.fromkeys(
                STORIES, 1
            )
            for request in hook.requests:
                assert request.headers["Content-Type"] == "application/json"
                assert verify_signature(
                    request.body,
                    request.headers["X-Newswatch-Timestamp"],
                    request.headers["X-Newswatch-Signature"],
                    SECRET.encode(),
                    now=datetime.now(UTC),
                )
            assert len(smtp.messages) == 2
            assert all(m["Subject"].startswith("[sanctions] ") for m in smtp.messages)

            letters = [json.loads(value) for _, value in kcat_read(bootstrap, dlq_topic)]
            assert len(letters) == 2 and {letter["subscription"] for letter in letters} == {"broken"}
            for letter in letters:
                assert "TOPSECRET" not in json.dumps(letter)
                assert letter["destination"].endswith("/hook?token=****")
                assert (letter["final"], letter["channel"]) == ("refused", "webhook")
                assert "400" in letter["reason"]
            assert len(bad.requests) == 2, "a 400 is not retried"

            samples = notifier.samples()
            sent = {
                dict(labels)["subscription"]: value
                for (name, labels), value in samples.items()
                if name == "newswatch_notifications_sent_total"
            }
            assert sent == {"desk": 2, "mail": 2, "broken": 0}
            dead = samples[
                (
                    "newswatch_notifications_dead_lettered_total",
                    (("channel", "webhook"), ("subscription", "broken")),
                )
            ]
            assert dead == 2
            count = samples[("newswatch_notification_delivery_seconds_count", ())]
            total = samples[("newswatch_notification_delivery_seconds_sum", ())]
            assert count == 4
            print(f"delivery latency (record -> delivered): mean {total / count:.3f} s over {count:.0f}")


async def test_kill_9_of_the_notifier_mid_stream_loses_nothing_and_repeats_only_with_the_same_key(
    notify_env: dict[str, str],
    start_worker: StartWorker,
    start_notifier: Callable[[dict[str, str]], WorkerProcess],
    tmp_path: Path,
) -> None:
    articles = distinct_stories(40)
    expected = {article["id"] for article in articles}
    # One request at a time, 50 ms each: the stream takes about 2 s to deliver, so the kill
    # lands mid-stream, with requests received but not yet answered.
    async with http_receiver(one_at_a_time(0.05)) as hook:
        with smtp_receiver() as smtp:
            path = subscriptions_file(
                tmp_path,
                subscription("desk", f"{hook.url}/hook", secret=SECRET),
                subscription("mail", "mailto:desk@example.org"),
            )
            env = {**notify_env, **smtp_env(smtp), "NEWSWATCH_SUBSCRIPTIONS": str(path)}
            await asyncio.to_thread(start_worker, env)
            first = await asyncio.to_thread(start_notifier, env)
            await replay(env, tmp_path, articles)
            await until(lambda: len(hook.requests) >= 10, 90, "the first ten webhooks")
            first.process.kill()  # SIGKILL: no commit, no flush
            first.process.wait()
            before = len(hook.requests)
            second = await asyncio.to_thread(start_notifier, env)

            def stories_at(requests: list[Request]) -> set[str]:
                return {json.loads(request.body)["article_id"] for request in requests}

            try:
                await until(
                    lambda: (
                        stories_at(hook.requests) == expected
                        and len({m["Message-ID"] for m in smtp.messages}) == 40
                    ),
                    120,
                    "every story at the webhook and every email after the restart",
                )
            except pytest.fail.Exception as timed_out:
                # Where it stopped: the worker's story events, or the notifier's deliveries;
                # SIGUSR1 makes the notifier log the stack of each of its tasks (mode's Worker).
                second.process.send_signal(signal.SIGUSR1)
                await asyncio.sleep(3)
                events = await timed_records(env["NEWSWATCH_KAFKA_BOOTSTRAP"], env["NEWSWATCH_STORIES_TOPIC"])
                opened = {value["article_id"] for *_, value in events if value["kind"] == "new"}
                missing = sorted(expected - stories_at(hook.requests))
                pytest.fail(
                    f"{timed_out}: {len(opened)} stories opened on the stories topic; not at the webhook: "
                    f"{missing}; not opened: {sorted(expected - opened)}; "
                    f"{len({m['Message-ID'] for m in smtp.messages})} of 40 emails; "
                    f"{await stall_report(env)}; the notifiers' log ends:\n"
                    + "\n".join((tmp_path / "notifier.log").read_text().splitlines()[-400:])
                )
            await asyncio.sleep(3)  # repeats would arrive by now

    keys = keys_by_story(hook)  # an article of its own is a story of its own
    assert {story: len(k) for story, k in keys.items()} == dict.fromkeys(expected, 1), "one key per story"
    emails = Counter(m["Message-ID"] for m in smtp.messages)
    assert len(emails) == len(expected)
    print(
        f"kill -9 after {before} of 40 webhook requests: webhook {len(hook.requests)} requests for "
        f"{len(keys)} stories ({len(hook.requests) - len(keys)} repeated, each with its story's one key); "
        f"email {len(smtp.messages)} for {len(emails)} Message-IDs "
        f"({len(smtp.messages) - len(emails)} repeated, same Message-ID)"
    )


async def stall_report(env: dict[str, str]) -> str:
    """What a stalled notifier had done: its group's committed offsets and its counters."""
    offsets = await committed(env["NEWSWATCH_KAFKA_BOOTSTRAP"], f"{env['NEWSWATCH_APP_ID']}-notify")
    port = env["NEWSWATCH_NOTIFY_METRICS_PORT"]
    try:
        text = await asyncio.to_thread(lambda: urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read())
        counters = [line for line in text.decode().splitlines() if line.startswith("newswatch_")]
    except OSError as exc:
        counters = [f"metrics unreadable: {exc}"]
    return f"committed offsets {sorted(offsets.items())}; metrics: " + "; ".join(counters)


async def test_print_shows_what_would_be_sent_and_sends_nothing(
    notify_env: dict[str, str], start_worker: StartWorker, tmp_path: Path
) -> None:
    async with http_receiver() as hook:
        path = subscriptions_file(
            tmp_path,
            subscription("desk", f"{hook.url}/hook?token=TOPSECRET", "mailto:desk@example.org"),
            subscription("everything", f"{hook.url}/all", per="article", watchlists=WATCHLISTS),
            subscription("daily", f"{hook.url}/daily", digest="1d", watchlists=["sanctions"]),
        )
        # No NEWSWATCH_SMTP_*: printing needs no mail server.
        env = {**notify_env, "NEWSWATCH_SUBSCRIPTIONS": str(path)}
        await asyncio.to_thread(start_worker, env)
        await replay(env, tmp_path, ARTICLES)
        # sanctions: 3 wire + 1 other; korean_peninsula: 3 wire; arms_transfers: other.
        await asyncio.to_thread(
            wait_for_records, env["NEWSWATCH_KAFKA_BOOTSTRAP"], env["NEWSWATCH_ALERTS_TOPIC"], 8
        )
        result = await asyncio.to_thread(run_newswatch, env, "notify", "--print", "--once")

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert Counter((line["subscription"], line["channel"]) for line in lines) == {
        ("desk", "webhook"): 2,
        ("desk", "email"): 2,
        ("everything", "webhook"): 8,
        ("daily", "webhook"): 1,
    }, result.stdout
    desk = [line for line in lines if line["subscription"] == "desk"]
    assert {story_of(line["body"]["article_id"]) for line in desk} == STORIES
    assert {line["event"] for line in desk} == {"story"}
    assert all(
        line["destination"].endswith("/hook?token=****") for line in desk if line["channel"] == "webhook"
    )
    assert all(line["subject"].startswith("[sanctions] ") for line in desk if line["channel"] == "email")
    (daily,) = [line for line in lines if line["subscription"] == "daily"]
    assert (daily["event"], daily["complete"]) == ("digest", False), "the day is not over"
    assert {story_of(item["story_id"]) for item in daily["body"]["items"]} == STORIES
    assert len({line["notification_id"] for line in lines}) == len(lines)
    assert "TOPSECRET" not in result.stdout + result.stderr
    assert "13 notification(s)" in result.stderr
    assert hook.requests == [], "--print sends nothing"


async def test_newswatch_run_starts_the_notifier_when_subscriptions_are_set(
    notify_env: dict[str, str], tmp_path: Path
) -> None:
    async with http_receiver() as hook:
        path = subscriptions_file(tmp_path, subscription("desk", f"{hook.url}/hook"))
        articles = articles_file(tmp_path, ARTICLES)
        env = {**notify_env, "NEWSWATCH_SUBSCRIPTIONS": str(path)}
        # --once returns when the worker and the notifier have committed every record.
        result = await asyncio.to_thread(run_newswatch, env, "run", "--once", str(articles))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "notify: 1 subscription(s)" in result.stdout
    assert "notifier: running" in result.stdout and "notifier: stopped" in result.stdout
    assert {story_of(json.loads(request.body)["article_id"]) for request in hook.requests} == STORIES
    assert len(hook.requests) == len(STORIES)


def reloads(notifier: WorkerProcess, result: str) -> float:
    return notifier.samples().get(("newswatch_subscription_reloads_total", (("result", result),)), 0.0)


async def test_sighup_reloads_the_subscriptions_and_an_invalid_file_keeps_the_running_ones(
    notify_env: dict[str, str],
    start_worker: StartWorker,
    start_notifier: Callable[[dict[str, str]], WorkerProcess],
    tmp_path: Path,
) -> None:
    async with http_receiver() as first, http_receiver() as added:
        desk = subscription("desk", f"{first.url}/hook")
        path = subscriptions_file(tmp_path, desk)
        env = {**notify_env, "NEWSWATCH_SUBSCRIPTIONS": str(path)}
        await asyncio.to_thread(start_worker, env)
        notifier = await asyncio.to_thread(start_notifier, env)
        await replay(env, tmp_path, [article for article in ARTICLES if article["id"] == "other-1"])
        await until(lambda: len(first.requests) == 1, 60, "the first story at the first receiver")

        subscriptions_file(tmp_path, desk, subscription("late", f"{added.url}/hook?token=TOPSECRET"))
        notifier.process.send_signal(signal.SIGHUP)
        await until(lambda: reloads(notifier, "ok") == 1, 30, "the reload")
        await replay(env, tmp_path, [article for article in ARTICLES if article["id"] in WIRE])
        await until(lambda: len(added.requests) == 1, 60, "the wire story at the added receiver")

        # A misspelt watch-list: refused, logged with its line; both subscriptions stay.
        path.write_text(path.read_text().replace("- sanctions", "- sanction", 1))
        notifier.process.send_signal(signal.SIGHUP)
        await until(lambda: reloads(notifier, "failed") == 1, 30, "the refused reload")
        await replay(env, tmp_path, [THIRD])
        await until(
            lambda: len(first.requests) == 3 and len(added.requests) == 2, 60, "the third story at both"
        )
        await asyncio.sleep(2)  # anything more would arrive by now

    assert [story_of(json.loads(r.body)["article_id"]) for r in first.requests] == [
        "other-1",
        "wire",
        "third-1",
    ]
    assert [story_of(json.loads(r.body)["article_id"]) for r in added.requests] == ["wire", "third-1"]
    log = notifier.log.read_text()
    assert f"{path}:4: there is no watch-list 'sanction'" in log
    assert "subscriptions not reloaded; the running ones stay in use" in log
    assert "TOPSECRET" not in log
    notifier.check_running()


async def test_a_hanging_webhook_delays_no_email_by_more_than_its_timeout_and_holds_its_offsets(
    notify_env: dict[str, str],
    start_worker: StartWorker,
    start_notifier: Callable[[dict[str, str]], WorkerProcess],
    tmp_path: Path,
) -> None:
    timeout, slack = 2.0, 3.0
    async with http_receiver(hang=True) as hung:
        with smtp_receiver() as smtp:
            path = subscriptions_file(
                tmp_path,
                subscription("hook", f"{hung.url}/hook"),
                subscription("mail", "mailto:desk@example.org"),
            )
            env = {
                **notify_env,
                **smtp_env(smtp),
                "NEWSWATCH_SUBSCRIPTIONS": str(path),
                "NEWSWATCH_WEBHOOK_TIMEOUT_SECONDS": str(timeout),
                # Retried far longer than the test: every webhook is still in flight at the end.
                "NEWSWATCH_NOTIFY_RETRY_SECONDS": "600",
            }
            await asyncio.to_thread(start_worker, env)
            await asyncio.to_thread(start_notifier, env)
            await replay(env, tmp_path, ARTICLES)
            await until(lambda: len(smtp.messages) == 2, 60, "the emails of both stories")
            await replay(env, tmp_path, [THIRD])  # after the webhooks have started hanging
            await until(lambda: len(smtp.messages) == 3, 60, "the email of the third story")
            await asyncio.sleep(4)  # past a commit interval: anything committable is committed
            bootstrap = env["NEWSWATCH_KAFKA_BOOTSTRAP"]
            alerts = await timed_records(bootstrap, env["NEWSWATCH_ALERTS_TOPIC"])
            offsets = await committed(bootstrap, f"{env['NEWSWATCH_APP_ID']}-notify")
            assert len(hung.requests) >= 3, "every story's webhook was tried"

    opening = {
        notification_id(
            "mail", Destination("mailto:desk@example.org", "email"), story_key("sanctions", value["story_id"])
        ): (
            partition,
            offset,
            timestamp,
        )
        for partition, offset, timestamp, value in alerts
        if value["watchlist"] == "sanctions" and value["story_id"] == value["article_id"]
    }
    assert len(opening) == 3
    delays = []
    for message, received in zip(smtp.messages, smtp.received_at, strict=True):
        _, _, published = opening[message["Message-ID"].strip("<>").partition("@")[0]]
        delays.append(received - published)
    print(
        f"emails after their alert, with a hanging webhook ({timeout:g} s timeout): "
        + ", ".join(f"{delay:.2f} s" for delay in delays)
    )
    assert max(delays) < timeout + slack, delays
    # At-least-once: no offset is committed past a record whose webhook is still in flight.
    topic = env["NEWSWATCH_ALERTS_TOPIC"]
    for partition, offset, _ in opening.values():
        assert offsets.get((topic, partition), 0) <= offset, (partition, offset, offsets)
