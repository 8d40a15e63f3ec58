"""The AsyncAPI document describes the topics the code really uses, and its references resolve.

Every `$ref` (local JSON pointers, the JSON Schema files next to the document and the
references inside them) must point at something; the topic addresses, partitions and
consumer group must be the defaults of `Settings`; each payload must be the schema of
the contract model that travels on that topic.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from newswatch.contracts import (
    Alert,
    Article,
    DeadLetter,
    NotificationDeadLetter,
    PublishedWatchlist,
    SpikeEvent,
    StoryEvent,
)
from newswatch.settings import Settings
from tests.helpers.paths import REPO_ROOT

ASYNCAPI_FILE = REPO_ROOT / "schemas" / "asyncapi.yaml"
# channel id -> (the Settings field holding its topic, the model of its values)
CHANNELS: dict[str, tuple[str, type[BaseModel]]] = {
    "articles": ("articles_topic", Article),
    "alerts": ("alerts_topic", Alert),
    "deadLetters": ("dead_letter_topic", DeadLetter),
    "stories": ("stories_topic", StoryEvent),
    "spikes": ("spikes_topic", SpikeEvent),
    "notificationDeadLetters": ("notifications_dlq_topic", NotificationDeadLetter),
    "watchlists": ("watchlists_topic", PublishedWatchlist),
}
# Channels whose topic newswatch creates with its own partition count (kafka/admin.py).
PARTITIONS = {"watchlists": 1}


class UnresolvedReferenceError(AssertionError):
    pass


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def _references(node: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    """(JSON pointer of the referring object, `$ref` value) for every reference in `node`."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield where, node["$ref"]
        for key, value in node.items():
            yield from _references(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _references(value, f"{where}/{index}")


def _follow_pointer(document: Any, pointer: str, ref: str) -> Any:
    node = document
    for raw in [part for part in pointer.split("/") if part]:
        part = raw.replace("~1", "/").replace("~0", "~")
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise UnresolvedReferenceError(f"{ref}: no {part!r} in the target") from exc
    return node


def resolve(document_path: Path, ref: str, documents: dict[Path, Any]) -> tuple[Path, Any]:
    """The file a reference points into, and the object it names (files loaded into `documents`)."""
    location, _, pointer = ref.partition("#")
    target = (document_path.parent / location).resolve() if location else document_path
    if target not in documents:
        if not target.is_file():
            raise UnresolvedReferenceError(f"{ref} (in {document_path.name}): no file {target}")
        documents[target] = _load(target)
    return target, _follow_pointer(documents[target], pointer, ref)


def check_all_references(path: Path) -> list[str]:
    """Resolve every reference of `path` and of the files it refers to; `file: ref` of each."""
    start = path.resolve()
    documents: dict[Path, Any] = {start: _load(start)}
    pending, visited = [start], {start}
    resolved: list[str] = []
    while pending:
        current = pending.pop()
        for where, ref in _references(documents[current]):
            try:
                target, _ = resolve(current, ref, documents)
            except UnresolvedReferenceError as exc:
                raise UnresolvedReferenceError(f"{current.name}{where.removeprefix('#')}: {exc}") from exc
            resolved.append(f"{current.name}: {ref}")
            if target not in visited:
                visited.add(target)
                pending.append(target)
    return resolved


@pytest.fixture(scope="module")
def asyncapi() -> dict[str, Any]:
    return dict(_load(ASYNCAPI_FILE))


def _deref(document: dict[str, Any], node: dict[str, Any]) -> Any:
    if "$ref" not in node:
        return node
    return resolve(ASYNCAPI_FILE, node["$ref"], {ASYNCAPI_FILE: document})[1]


def test_document_is_asyncapi_3(asyncapi: dict[str, Any]) -> None:
    assert str(asyncapi["asyncapi"]).startswith("3.0."), asyncapi["asyncapi"]
    assert asyncapi["info"]["title"] and asyncapi["info"]["version"]
    assert {server["protocol"] for server in asyncapi["servers"].values()} == {"kafka"}


def test_every_reference_resolves() -> None:
    resolved = check_all_references(ASYNCAPI_FILE)
    for schema in ("article", "alert", "dead_letter"):
        assert f"asyncapi.yaml: ./{schema}.schema.json" in resolved, f"{schema} schema is not referenced"
    assert any(entry.startswith("alert.schema.json: #/$defs/") for entry in resolved), resolved


def test_a_broken_reference_is_reported(tmp_path: Path) -> None:
    document = tmp_path / "doc.yaml"
    document.write_text(yaml.safe_dump({"a": {"$ref": "#/components/missing"}, "components": {}}))
    with pytest.raises(UnresolvedReferenceError, match="missing"):
        check_all_references(document)
    document.write_text(yaml.safe_dump({"a": {"$ref": "./nowhere.schema.json"}}))
    with pytest.raises(UnresolvedReferenceError, match="nowhere"):
        check_all_references(document)
    (tmp_path / "x.schema.json").write_text(json.dumps({"items": {"$ref": "#/$defs/Gone"}}))
    document.write_text(yaml.safe_dump({"a": {"$ref": "./x.schema.json"}}))
    with pytest.raises(UnresolvedReferenceError, match=r"x\.schema\.json/items"):
        check_all_references(document)


def test_channels_are_the_topics_of_the_code(asyncapi: dict[str, Any]) -> None:
    defaults = Settings.model_fields
    assert set(asyncapi["channels"]) == set(CHANNELS)
    for channel_id, (field, _) in CHANNELS.items():
        channel = asyncapi["channels"][channel_id]
        topic = defaults[field].default
        assert channel["address"] == topic, f"{channel_id}: Settings.{field} defaults to {topic}"
        binding = channel["bindings"]["kafka"]
        assert binding["topic"] == topic
        assert binding["partitions"] == PARTITIONS.get(channel_id, defaults["topic_partitions"].default)
        assert binding["replicas"] == defaults["topic_replication_factor"].default


def test_each_channel_carries_its_contract_model(asyncapi: dict[str, Any]) -> None:
    for channel_id, (_, model) in CHANNELS.items():
        messages = asyncapi["channels"][channel_id]["messages"]
        assert len(messages) == 1, f"{channel_id}: one message type per topic"
        message = _deref(asyncapi, next(iter(messages.values())))
        assert message["contentType"] == "application/json"
        assert "key" in message["bindings"]["kafka"], f"{channel_id}: document the record key"
        schema_file = ASYNCAPI_FILE.parent / message["payload"]["schema"]["$ref"]
        schema = json.loads(schema_file.read_text())
        assert schema == model.model_json_schema(), (
            f"{channel_id}: {schema_file.name} is not {model.__name__}"
        )


def test_operations_send_and_receive_every_channel(asyncapi: dict[str, Any]) -> None:
    actions: dict[str, set[str]] = {channel_id: set() for channel_id in CHANNELS}
    for name, operation in asyncapi["operations"].items():
        assert operation["action"] in {"send", "receive"}, name
        assert operation.get("title"), f"{name}: say which service or party performs it"
        channel_ref = operation["channel"]["$ref"]
        assert channel_ref.startswith("#/channels/"), name
        _deref(asyncapi, operation["channel"])
        for message in operation["messages"]:
            assert message["$ref"].startswith(f"{channel_ref}/messages/"), (
                f"{name}: an operation's messages must be messages of its channel"
            )
            _deref(asyncapi, message)
        actions[channel_ref.removeprefix("#/channels/")].add(operation["action"])
    for channel_id, seen in actions.items():
        assert seen == {"send", "receive"}, f"{channel_id}: who sends and who receives? {seen}"


def test_the_tagger_consumes_in_its_consumer_group(asyncapi: dict[str, Any]) -> None:
    group = asyncapi["operations"]["tagArticles"]["bindings"]["kafka"]["groupId"]
    assert group["const"] == Settings.model_fields["app_id"].default
