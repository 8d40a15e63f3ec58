"""`alerts_for` validates each alert in one call: the same records as building every field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswatch.contracts import Alert, Article, Evidence, alert_id_for
from newswatch.tagger.alerts import alerts_for
from newswatch.watchlists import Engine
from newswatch.watchlists.rules.loader import read_watchlist_text
from tests.helpers.paths import REPO_ROOT

TAGGED_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _reference(article: Article, engine: Engine) -> list[Alert]:
    """Every Evidence and Alert built and validated on its own (the plain way)."""
    return [
        Alert(
            alert_id=alert_id_for(article.id, match.watchlist),
            article_id=article.id,
            watchlist=match.watchlist,
            score=match.score,
            evidence=[
                Evidence(
                    term=hit.term,
                    field=hit.field,
                    start=hit.start,
                    end=hit.end,
                    text=hit.text,
                    snippet=hit.snippet,
                )
                for hit in match.hits
            ],
            title=article.title,
            language=article.language or match.language,
            language_detected=article.language is None and match.language is not None,
            url=article.url,
            source=article.source,
            published_at=article.published_at,
            tagged_at=TAGGED_AT,
        )
        for match in engine.match(article.title, article.body, article.language)
    ]


def _articles() -> list[Article]:
    articles = []
    for path in sorted((REPO_ROOT / "tests" / "data").glob("dev_set_part*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            fields = {key: record[key] for key in ("id", "title", "body")}
            articles.append(Article(**fields, language=record["language"], url="https://example.org/a"))
            articles.append(Article(**fields, source="dev set", published_at=TAGGED_AT))
    return articles


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()


def test_alerts_equal_the_field_by_field_ones_and_round_trip(engine: Engine) -> None:
    alerted = 0
    for article in _articles():
        alerts = alerts_for(article, engine, TAGGED_AT)
        assert alerts == _reference(article, engine)
        for alert in alerts:
            assert Alert.model_validate(alert.model_dump()) == alert
            assert Alert.model_validate_json(alert.model_dump_json()) == alert
            assert all(type(evidence) is Evidence for evidence in alert.evidence)
        alerted += bool(alerts)
    assert alerted > 100


def test_lists_alerting_on_the_same_words_each_show_their_own_evidence() -> None:
    """Two lists with the same words get one hits tuple from the engine (their evidence is
    validated once); a third list alerts on other words of the article and shows those."""
    texts = {
        "acme_a": "query: 'acme AND merger'",
        "acme_b": "query: '(merger OR takeover) AND acme'",
        "rivals": "query: 'globex AND lawsuit'",
    }
    engine = Engine(
        [
            read_watchlist_text(Path(f"{name}.yaml"), f"name: {name}\ndescription: d\n{text}\n")
            for name, text in texts.items()
        ]
    )
    article = Article(
        id="a1",
        title="Acme merger talks",
        body="Acme agreed a merger on Monday. Globex faces a lawsuit over the deal.",
        language="en",
    )
    alerts = alerts_for(article, engine, TAGGED_AT)
    assert alerts == _reference(article, engine)
    shown = {alert.watchlist: [evidence.text for evidence in alert.evidence] for alert in alerts}
    assert shown["acme_a"] == shown["acme_b"] == ["Acme", "merger", "Acme", "merger"]
    assert shown["rivals"] == ["Globex", "lawsuit"]
