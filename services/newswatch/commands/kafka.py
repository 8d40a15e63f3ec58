"""`newswatch kafka up | down | status`: the local single-node broker."""

from __future__ import annotations

import argparse

from newswatch.errors import NewswatchError
from newswatch.kafka.local_broker import LocalBroker
from newswatch.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Start, stop or describe the local broker; `status` exits 3 when it does not answer."""
    if not settings.uses_local_broker:
        raise NewswatchError(
            f"NEWSWATCH_KAFKA_BOOTSTRAP is set ({settings.kafka_bootstrap}): the local broker is not used; "
            "unset it to manage the local broker"
        )
    broker = LocalBroker.from_settings(settings)
    if args.action == "up":
        status = broker.up()
        print(
            f"kafka: listening on {status.bootstrap} (pid {status.pid or 'not ours'}); log: {status.log_file}"
        )
    elif args.action == "down":
        print("kafka: stopped" if broker.down() else "kafka: no local broker was running")
    else:
        status = broker.status()
        state = "answering" if status.answering else "not answering"
        print(f"kafka: {state} on {status.bootstrap}; pid {status.pid or '-'}; log: {status.log_file}")
        return 0 if status.answering else 3
    return 0
