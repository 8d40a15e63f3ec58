"""What an analyst sees when articles go through the default watch-lists."""

from __future__ import annotations

import pytest

from newswatch.watchlists import Engine, WatchlistMatch
from tests.helpers.paths import SEED_ARTICLE as SEED


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()


def by_name(matches: list[WatchlistMatch]) -> dict[str, WatchlistMatch]:
    return {match.watchlist: match for match in matches}


def assert_offsets_true(match: WatchlistMatch, title: str, body: str) -> None:
    for hit in match.hits:
        field = title if hit.field == "title" else body
        assert field[hit.start : hit.end] == hit.text


def test_default_engine_knows_the_three_packaged_watchlists(engine: Engine) -> None:
    assert engine.watchlist_names == ("arms_transfers", "korean_peninsula", "sanctions")


def test_english_article_matches_with_offsets_into_the_original(engine: Engine) -> None:
    title = "EU agrees new sanctions on Moscow"
    body = "Brussels said on Monday that the asset freeze covers 40 officials.\n"
    matches = by_name(engine.match(title, body, "en"))
    sanctions = matches["sanctions"]
    assert sanctions.score >= 1.0
    assert [(hit.field, hit.text) for hit in sanctions.hits] == [
        ("title", "sanctions"),
        ("title", "Moscow"),
        ("body", "asset freeze"),
    ]
    assert_offsets_true(sanctions, title, body)
    assert "asset freeze covers" in sanctions.hits[2].snippet


def test_indonesian_article_matches_inflected_stem(engine: Engine) -> None:
    title = "Uni Eropa perpanjang sanksi ekonomi"
    body = "Menurut diplomat, sanksinya berlaku enam bulan lagi. Sanksinya juga mencakup bank."
    sanctions = by_name(engine.match(title, body, "id"))["sanctions"]
    assert [hit.text for hit in sanctions.hits] == ["sanksi ekonomi", "sanksinya", "Sanksinya"]
    assert_offsets_true(sanctions, title, body)


def test_seed_article_matches_all_three_watchlists_with_evidence(engine: Engine) -> None:
    title, body = SEED.read_text(encoding="utf-8").strip().split("\n", 1)
    matches = by_name(engine.match(title, body, "id"))
    assert set(matches) == {"arms_transfers", "korean_peninsula", "sanctions"}
    texts = {name: [hit.text.casefold() for hit in match.hits] for name, match in matches.items()}
    assert any("sanksi" in text for text in texts["sanctions"])
    assert "memasok rusia" in texts["arms_transfers"]
    assert {"korea utara", "semenanjung korea", "pyongyang"} <= set(texts["korean_peninsula"])
    for match in matches.values():
        assert_offsets_true(match, title, body)
        assert 1 <= len(match.hits) <= 10


def test_one_weak_term_repeated_does_not_alert(engine: Engine) -> None:
    body = "The sanctions were discussed. More sanctions talk. Sanctions again. Sanctions!"
    assert engine.match("", body) == []


def test_football_club_sanctioned_by_its_league_is_not_a_sanctions_story(engine: Engine) -> None:
    title = "Club faces sanctions on transfers"
    body = (
        "The league imposed sanctions on the club after crowd trouble.\n"
        "The disciplinary panel said the sanctions on the club would last a season."
    )
    assert "sanctions" not in by_name(engine.match(title, body, "en"))


def test_sanction_meaning_approve_is_not_a_sanctions_story(engine: Engine) -> None:
    body = "The council officially sanctioned the new marathon route. It was state-sanctioned."
    assert engine.match("Marathon route approved", body) == []


def test_ceasefire_is_not_an_arms_transfer(engine: Engine) -> None:
    title = "Gencatan senjata di Gaza berlaku"
    body = (
        "Gencatan senjata mulai berlaku pagi ini. Warga berharap gencatan senjata bertahan.\n"
        "Pihak-pihak sepakat memperpanjang gencatan senjata."
    )
    assert "arms_transfers" not in by_name(engine.match(title, body, "id"))


def test_arms_is_a_whole_word_not_the_start_of_another(engine: Engine) -> None:
    body = (
        "Lance Armstrong sales rose. Armed police guarded the armsales office.\n"
        "She welcomed them with open arms. The armstrong deal was signed."
    )
    assert engine.match("Armstrong sales", body) == []


def test_german_ceasefire_compound_is_not_a_weapons_delivery(engine: Engine) -> None:
    body = "Der Waffenstillstand hält. Die Waffenruhe wurde verlängert. Waffeln für alle."
    assert engine.match("Waffenstillstand in Kraft", body, "de") == []


def test_related_story_and_furniture_lines_do_not_make_a_match(engine: Engine) -> None:
    body = (
        "Harga beras naik di pasar induk.\n"
        "BACA: Korea Utara luncurkan rudal, sanksi PBB diperketat\n"
        "Baca juga: Penjualan senjata ke Ukraina meningkat\n"
        "SCROLL TO CONTINUE WITH CONTENT\n"
        "Read more: North Korea tests missile\n"
        "Langganan Anda berhasil.\n"
        "Pedagang berharap harga turun."
    )
    assert engine.match("Harga beras naik", body, "id") == []


def test_hits_after_boilerplate_keep_their_original_offsets(engine: Engine) -> None:
    # Named twice: one bare mention of North Korea stays below the threshold.
    body = (
        "BACA: Berita lain\nSCROLL TO CONTINUE WITH CONTENT\n"
        "Pejabat Korea Utara tiba. Delegasi Korea Utara pulang."
    )
    match = by_name(engine.match("", body))["korean_peninsula"]
    assert [hit.text for hit in match.hits] == ["Korea Utara", "Korea Utara"]
    assert_offsets_true(match, "", body)


def test_south_korean_company_story_does_not_match(engine: Engine) -> None:
    body = "Perusahaan asal Korea Selatan itu membuka pabrik. Korea Selatan bangga. Seoul senang."
    assert engine.match("Pabrik TV baru", body, "id") == []


def test_terms_of_all_languages_run_whatever_the_language_hint(engine: Engine) -> None:
    body = "Die Zeitung zitierte: 북한은 미사일을 발사했다."
    matches = engine.match("", body, "de")
    assert [match.watchlist for match in matches] == ["korean_peninsula"]
    assert matches[0].hits[0].text == "북한은"


def test_japanese_terms_match_without_word_boundaries(engine: Engine) -> None:
    body = "国連安保理は北朝鮮に対する追加制裁を決めた。"
    assert {match.watchlist for match in engine.match("", body, "ja")} == {
        "korean_peninsula",
        "sanctions",
    }


def test_results_are_sorted_by_watchlist_name(engine: Engine) -> None:
    body = "UN sanctions target North Korea arms sales."
    names = [match.watchlist for match in engine.match("", body)]
    assert names == sorted(names) == ["arms_transfers", "korean_peninsula", "sanctions"]


def test_snippet_is_one_line_of_context_marked_where_cut(engine: Engine) -> None:
    body = "Filler words here. " * 10 + "The EU arms embargo\non China stays.\n" + "More filler. " * 10
    hit = by_name(engine.match("", body))["arms_transfers"].hits[0]
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert "The EU arms embargo on China stays." in hit.snippet
    assert "\n" not in hit.snippet and len(hit.snippet) < 160


def test_seoul_mountain_named_bukhansan_is_not_north_korea(engine: Engine) -> None:
    body = "주말에 북한산에 등산객이 몰렸다. 북한산 국립공원은 붐볐다."
    assert engine.match("등산객 증가", body, "ko") == []
