"""The local broker's failure messages: they must tell the user what to install or do."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest

from newswatch.errors import BrokerError, MissingToolError
from newswatch.kafka.local_broker import LocalBroker, find_deploy_dir, new_cluster_id
from tests.helpers.environment import free_port
from tests.helpers.paths import REPO_ROOT


def test_missing_java_or_maven_is_named_with_the_package_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda tool: None if tool == "mvn" else "/usr/bin/" + tool)
    broker = LocalBroker(find_deploy_dir(REPO_ROOT), tmp_path, free_port(), free_port())
    with pytest.raises(MissingToolError) as raised:
        broker.up()
    assert raised.value.tool == "mvn"
    assert "apt-get install maven" in str(raised.value)


def test_outside_a_checkout_the_error_says_how_to_use_another_cluster(tmp_path: Path) -> None:
    with pytest.raises(BrokerError, match="NEWSWATCH_KAFKA_BOOTSTRAP"):
        find_deploy_dir(tmp_path)


def test_down_without_a_running_broker_says_so(tmp_path: Path) -> None:
    broker = LocalBroker(find_deploy_dir(REPO_ROOT), tmp_path, free_port(), free_port())
    assert broker.down() is False


def test_cluster_ids_are_16_bytes_and_never_look_like_an_option() -> None:
    # One random id in 64 starts with '-'; StorageTool then refused to format and the
    # broker never started (a CI run failed that way).
    ids = [new_cluster_id() for _ in range(5000)]
    assert not [cluster_id for cluster_id in ids if cluster_id.startswith("-")]
    assert {len(base64.urlsafe_b64decode(cluster_id + "==")) for cluster_id in ids} == {16}
    assert len(set(ids)) == len(ids)
