"""`newswatch notify --print [--once]`: print what the notifier would send, send nothing."""

from __future__ import annotations

import argparse
import asyncio
import sys

from newswatch.kafka.connection import KafkaConnection
from newswatch.notify.loading import configured_subscriptions
from newswatch.notify.preview import print_notifications
from newswatch.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    """One JSON line per notification on stdout (notify/preview.py); a summary on stderr.

    The subscriptions are checked as at the notifier's start: an invalid file exits 1 with
    its `file:line: message` lines. No SMTP server or receiver is needed or contacted.
    """
    subscriptions = configured_subscriptions(settings)
    connection = KafkaConnection.from_settings(settings)
    try:
        report = asyncio.run(print_notifications(settings, connection, subscriptions, once=args.once))
    except KeyboardInterrupt:
        return 0
    print(
        f"{report.notifications} notification(s) from {report.records} record(s) "
        f"for {len(subscriptions)} subscription(s)"
        + (f"; {report.unreadable} unreadable record(s) skipped" if report.unreadable else ""),
        file=sys.stderr,
    )
    return 0
