"""Faust's own ceiling: the worker's Faust app with an agent that forwards each record unchanged.

    python bench/faust_passthrough.py SOURCE DEST

Run by bench/pipeline.py in its own process, with NEWSWATCH_* settings of its own (group,
metrics port, state folder). The app is the worker's (`configured_app`: delivery,
batching, sensors) on the worker's event loop (`faust_worker`: uvloop); the agent reads
events as the tagger does and sends each key and value to DEST with `Topic.send`, as the
tagger sends an alert. The figure it gives, set against the aiokafka ceiling and the
tagger, splits the tagger's time into Faust's part and the engine's. Prints one JSON
line, `first_event_at` (wall clock), when the first record arrives; runs until SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import faust
from prometheus_client import CollectorRegistry

from newswatch.kafka.connection import KafkaConnection
from newswatch.settings import Settings
from newswatch.tagger.app import configured_app
from newswatch.tagger.worker import faust_worker
from newswatch.topics import raw_topic


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source")
    parser.add_argument("dest")
    args = parser.parse_args()
    settings = Settings()
    app = configured_app(settings, KafkaConnection.from_settings(settings), CollectorRegistry())
    source, dest = raw_topic(app, args.source), raw_topic(app, args.dest)

    @app.agent(source, name="bench.forward")
    async def forward(stream: faust.StreamT[bytes]) -> None:
        first = True
        async for event in stream.events():
            if first:
                # To the real stdout: Faust's worker sends print() to its log.
                assert sys.__stdout__ is not None
                sys.__stdout__.write(json.dumps({"first_event_at": time.time()}) + "\n")
                sys.__stdout__.flush()
                first = False
            await dest.send(key=event.message.key, value=event.message.value)

    faust_worker(app, "warning").execute_from_commandline()


if __name__ == "__main__":
    main()
