"""NEWSWATCH_* environments of their own, and `newswatch` commands run with exactly them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.helpers.paths import REPO_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def isolated_env(bootstrap: str, name: str, state_dir: Path) -> dict[str, str]:
    """Settings for a pipeline nobody else uses: topics, group and metrics port of its own."""
    return {
        "NEWSWATCH_KAFKA_BOOTSTRAP": bootstrap,
        "NEWSWATCH_ARTICLES_TOPIC": f"{name}.articles",
        "NEWSWATCH_ALERTS_TOPIC": f"{name}.alerts",
        "NEWSWATCH_DEAD_LETTER_TOPIC": f"{name}.articles.dlq",
        "NEWSWATCH_STORIES_TOPIC": f"{name}.stories",
        "NEWSWATCH_SPIKES_TOPIC": f"{name}.spikes",
        # Not created with the others (`topics_of`): the worker creates it, compacted.
        "NEWSWATCH_WATCHLISTS_TOPIC": f"{name}.watchlists",
        "NEWSWATCH_APP_ID": name,
        "NEWSWATCH_METRICS_PORT": str(free_port()),
        "NEWSWATCH_STATE_DIR": str(state_dir),
    }


def topics_of(env: dict[str, str]) -> list[str]:
    """Every topic a worker with these settings uses: the five of the settings and, with
    stories on (NEWSWATCH_STORIES_ENABLED=true), the stories stage's repartition topic and table changelog
    (`ensure_topics` creates a `-changelog` topic compacted)."""
    roles = ("ARTICLES", "ALERTS", "DEAD_LETTER", "STORIES", "SPIKES")
    topics = [env[f"NEWSWATCH_{role}_TOPIC"] for role in roles if f"NEWSWATCH_{role}_TOPIC" in env]
    if stories_on(env):
        app_id = env["NEWSWATCH_APP_ID"]
        topics += [f"{app_id}-stories-by-watchlist", f"{app_id}-stories-changelog"]
    return topics


def stories_on(env: dict[str, str]) -> bool:
    """Whether a worker with these settings runs the stories stage (on unless switched off)."""
    return env.get("NEWSWATCH_STORIES_ENABLED", "true").lower() in {"true", "1", "yes", "on"}


def newswatch_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "newswatch", *args]


def run_newswatch(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run one `newswatch` command to completion with exactly these NEWSWATCH_* settings."""
    return subprocess.run(
        newswatch_command(*args),
        env=subprocess_env(env),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def subprocess_env(overrides: dict[str, str]) -> dict[str, str]:
    """This process's environment without its NEWSWATCH_* variables, plus `overrides`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWSWATCH_")}
    return {**env, **overrides}
