from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from newswatch.contracts import Alert, Article, DeadLetter, Evidence, alert_id_for
from newswatch.schemas import render_schemas, stale_schemas
from tests.helpers.paths import REPO_ROOT

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def make_alert(article_id: str = "a1", watchlist: str = "sanctions") -> Alert:
    return Alert(
        alert_id=alert_id_for(article_id, watchlist),
        article_id=article_id,
        watchlist=watchlist,
        score=2.5,
        evidence=[
            Evidence(
                term="sanction*", field="body", start=4, end=13, text="sanctions", snippet="new sanctions on"
            )
        ],
        title="t",
        language="en",
        url=None,
        source=None,
        published_at=NOW,
        tagged_at=NOW,
    )


def test_alert_round_trips_through_json() -> None:
    alert = make_alert()
    assert Alert.model_validate_json(alert.model_dump_json()) == alert


def test_alert_id_is_deterministic_and_distinguishes_article_and_watchlist() -> None:
    assert alert_id_for("a1", "sanctions") == alert_id_for("a1", "sanctions")
    assert alert_id_for("a1", "sanctions") != alert_id_for("a1", "arms_transfers")
    assert alert_id_for("a1", "sanctions") != alert_id_for("a2", "sanctions")
    # The separator keeps ("ab", "c") and ("a", "bc") apart.
    assert alert_id_for("ab", "c") != alert_id_for("a", "bc")


def test_alert_id_recipe_is_pinned_across_versions() -> None:
    # Consumers de-duplicate on alert_id across restarts and upgrades: a change of the
    # recipe would make every re-sent alert look new. These values were computed once.
    assert alert_id_for("a1", "sanctions") == "86bd5bea3b1c37b819f44e51874221cb"
    assert alert_id_for("ab", "c") == "9617c506357d3d46bb660dbde5253de2"
    assert alert_id_for("a", "bc") == "624ce4e22aa197da43bff3bcb4717e5b"


def test_article_refuses_unknown_fields_and_empty_body() -> None:
    with pytest.raises(ValidationError, match="langauge"):
        Article.model_validate({"id": "x", "body": "text", "langauge": "en"})
    with pytest.raises(ValidationError, match="body"):
        Article.model_validate({"id": "x", "body": ""})


def test_article_needs_timezone_on_published_at() -> None:
    with pytest.raises(ValidationError, match="published_at"):
        Article.model_validate({"id": "x", "body": "b", "published_at": "2024-02-23T10:00:00"})
    article = Article.model_validate({"id": "x", "body": "b", "published_at": "2024-02-23T10:00:00Z"})
    assert article.published_at == datetime(2024, 2, 23, 10, tzinfo=UTC)


def test_dead_letter_keeps_the_original_bytes() -> None:
    raw = b"\xff\x00not utf8"
    letter = DeadLetter(
        reason="not_utf8",
        detail="d",
        topic="t",
        partition=1,
        offset=7,
        key_base64=DeadLetter.encode_bytes(None),
        value_base64=DeadLetter.encode_bytes(raw) or "",
        value_size=len(raw),
        value_sha256="0" * 64,
        failed_at=NOW,
    )
    again = DeadLetter.model_validate_json(letter.model_dump_json())
    assert again.original_value() == raw
    assert again.key_base64 is None


def test_committed_json_schemas_match_the_models() -> None:
    stale = stale_schemas(REPO_ROOT / "schemas")
    assert not stale, f"schemas out of date: {stale}; run `newswatch schemas`"


def test_schema_check_notices_drift(tmp_path: Path) -> None:
    for name, text in render_schemas().items():
        (tmp_path / name).write_text(text)
    assert stale_schemas(tmp_path) == []
    (tmp_path / "alert.schema.json").write_text("{}")
    assert stale_schemas(tmp_path) == ["alert.schema.json"]
