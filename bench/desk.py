"""A generated media-monitoring desk: thousands of Boolean-query watch-lists, as YAML text.

    python bench/desk.py FOLDER --lists 10000 [--broad 300] [--seed 11]

Writes one `.yaml` file per list into FOLDER (for `newswatch watchlists check FOLDER`
or NEWSWATCH_WATCHLISTS). `bench/desk_scale.py` builds the same desk in memory.

What a desk looks like (issue 14): most lists follow one client organisation, named
by made-up words (so that two clients never share a name by accident, and no real
company is named), each with its short name, in the context of its sector's words
(`("Korvalis Holdings" OR korvalis) NEAR/8 (merger* OR takeover* OR ...)`); the
shapes vary (AND, NEAR, a title-only name, an AND NOT for a namesake, atleast).
A few hundred lists are broad topics written in the corpus languages' everyday news
words (`(inflation OR "interest rate*") AND (bank* OR economy)`): they fire often.
A small share of client lists (`names`) may name a real word the caller supplies (the
benchmark takes capitalised words of the corpus at run time), so that some clients
are mentioned in the articles and their queries are evaluated, not just screened out.
Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from pathlib import Path

_ONSETS = (
    "b",
    "br",
    "d",
    "dr",
    "f",
    "g",
    "gr",
    "k",
    "kr",
    "l",
    "m",
    "n",
    "p",
    "pr",
    "r",
    "s",
    "st",
    "t",
    "tr",
    "v",
    "z",
)
_VOWELS = ("a", "e", "i", "o", "u", "ae", "io", "ou")
_CODAS = ("", "", "l", "n", "r", "s", "x", "th", "nd", "rk")
_ENDINGS = ("is", "ia", "on", "ex", "ar", "um", "ix", "or", "ene", "ado")
_SUFFIXES = (
    "Holdings",
    "Group",
    "Bank",
    "Energy",
    "Pharma",
    "Systems",
    "Logistics",
    "Motors",
    "Capital",
    "AG",
)

# Context words per sector (stems where English inflects); a client list names a few.
SECTORS: dict[str, tuple[str, ...]] = {
    "deals": ("merger*", "takeover*", "acquisition*", "acquire*", "stake", "buyout", "bid", "deal"),
    "results": ("profit*", "revenue*", "earnings", "quarterly", "guidance", "dividend*", "loss", "forecast*"),
    "legal": ("lawsuit*", "sued", "court", "fine*", "settlement", "regulator*", "investigation", "probe"),
    "people": ("ceo", "chief executive", "resign*", "appoint*", "chairman", "board", "founder", "layoff*"),
    "energy": ("oil", "gas", "pipeline*", "refiner*", "drilling", "lng", "crude", "power plant*"),
    "pharma": ("drug*", "vaccine*", "trial*", "approval", "fda", "patent*", "clinical", "treatment*"),
    "tech": ("software", "chip*", "semiconductor*", "cloud", "data", "ai", "platform", "cyber*"),
    "finance": ("bank*", "loan*", "bond*", "shares", "stock*", "investor*", "fund*", "credit"),
    "transport": ("airline*", "flight*", "shipping", "port*", "rail*", "cargo", "fleet", "aircraft"),
    "trade": ("export*", "import*", "tariff*", "sanction*", "supply chain", "factory", "plant", "production"),
    "retail": ("store*", "retail*", "consumer*", "sales", "brand*", "price*", "shop*", "customers"),
    "mining": ("mine", "mining", "copper", "lithium", "nickel", "gold", "rare earth*", "smelter*"),
}
# Everyday business words of the corpus's other languages (client lists in those languages).
LOCAL_CONTEXT: dict[str, tuple[str, ...]] = {
    "id": (
        "saham",
        "investasi",
        "perusahaan",
        "ekspor",
        "impor",
        "pabrik",
        "tambang",
        "kontrak",
        "laba",
        "bank",
    ),
    "de": (
        "aktie*",
        "konzern*",
        "übernahme*",
        "gewinn*",
        "umsatz*",
        "werk",
        "export*",
        "gericht",
        "vorstand*",
        "bank*",
    ),
    "ru": (
        "акци*",
        "компани*",
        "сделк*",
        "прибыл*",
        "экспорт*",
        "завод*",
        "суд*",
        "банк*",
        "инвест*",
        "контракт*",
    ),
}
# Broad topics: each broad list ANDs two or three of these groups (OR inside), in one language.
TOPICS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (
        ("inflation", '"interest rate*"', '"central bank"'),
        ("election*", "vote*", "ballot*"),
        ("president", "prime minister", "minister*"),
        ("police", "arrest*", "court"),
        ("war", "military", "troops", "attack*"),
        ("economy", "growth", "recession"),
        ("market*", "investor*", "shares"),
        ("government", "parliament", "congress"),
        ("china", "chinese", "beijing"),
        ("russia", "russian", "moscow", "kremlin"),
        ("ukraine", "kyiv", "ukrainian"),
        ('"united states"', "washington", "american*"),
        ("climate", "emission*", "carbon"),
        ("oil", "energy", "gas"),
        ("trade", "tariff*", "export*"),
    ),
    "id": (
        ("pemerintah", "presiden", "menteri"),
        ("ekonomi", "investasi", "inflasi"),
        ("polisi", "pengadilan", "korupsi"),
        ("indonesia", "jakarta", "nasional"),
        ("harga", "pasar", "saham"),
    ),
    "de": (
        ("regierung", "kanzler*", "minister*"),
        ("wirtschaft", "inflation", "konjunktur"),
        ("polizei", "gericht", "ermittlung*"),
        ("deutschland", "berlin", "bundes*"),
        ("krieg", "militär*", "angriff*"),
    ),
    "ru": (
        ("правительств*", "президент*", "министр*"),
        ("экономик*", "инфляци*", "рынок"),
        ("суд*", "полиц*", "задержан*"),
        ("росси*", "москв*", "кремл*"),
        ("войн*", "военн*", "удар*"),
    ),
    "ja": (
        ("政府", "首相", "大臣"),
        ("経済", "物価", "市場"),
        ("警察", "逮捕", "裁判"),
        ("米国", "中国", "ロシア"),
    ),
    "ko": (
        ("정부*", "대통령*", "장관*"),
        ("경제*", "물가*", "시장*"),
        ("경찰*", "검찰*", "법원*"),
        ("미국*", "중국*", "북한*"),
    ),
}
# Client lists' languages: most in English.
_CLIENT_LANGUAGES = ("en",) * 7 + ("id", "de", "ru")


def pseudo_word(rng: random.Random) -> str:
    """A made-up brand word of two or three syllables ("korvalis")."""
    while True:
        syllables = [
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(rng.randint(1, 2))
        ]
        word = "".join(syllables) + rng.choice(_ENDINGS)
        if len(word) >= 5:  # shorter ones may be words, or operators ("near")
            return word


def _quoted(words: Sequence[str]) -> str:
    """A query's OR group; a term with a space becomes a phrase."""
    terms = [word if word.startswith('"') or " " not in word else f'"{word}"' for word in words]
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def client_query(rng: random.Random, name: str, short: str) -> str:
    """One client's query: its names in one of the desk's usual shapes, with context words."""
    language = rng.choice(_CLIENT_LANGUAGES)
    pool = rng.choice(list(SECTORS.values())) if language == "en" else LOCAL_CONTEXT[language]
    context = _quoted(rng.sample(pool, rng.randint(3, 6)))
    names = _quoted([f'"{name}"', short])
    shape = rng.randrange(10)
    if shape < 4:
        return f"{names} AND {context}"
    if shape < 7:
        return f"{names} NEAR/{rng.choice((5, 8, 10, 15))} {context}"
    if shape == 7:
        namesake = _quoted(rng.sample(SECTORS["retail"], 2))
        return f"{names} AND {context} AND NOT {namesake}"
    if shape == 8:
        return f"title:{names} OR ({names} NEAR/5 {context})"
    return f"atleast(2, {names}) AND {context}"


def broad_query(rng: random.Random) -> str:
    """A topic list: two or three groups of everyday news words of one language, ANDed."""
    groups = TOPICS[rng.choice(sorted(TOPICS))]
    chosen = rng.sample(groups, min(len(groups), rng.randint(2, 3)))
    return " AND ".join(_quoted(group) for group in chosen)


def desk(count: int, broad: int = 300, seed: int = 11, names: Sequence[str] = ()) -> list[tuple[str, str]]:
    """`count` lists as (file name, YAML text): `broad` topic lists, the rest clients.

    A client in fifty names one of `names` (real words from the caller) instead of a made-up one.
    """
    rng = random.Random(seed)
    used: set[str] = set()
    lists = []
    for number in range(count):
        if number < broad:
            query = broad_query(rng)
        else:
            if names and rng.random() < 0.02:
                short = rng.choice(names)
            else:
                short = pseudo_word(rng)
                while short in used:  # two clients never share a made-up name
                    short = pseudo_word(rng)
                used.add(short)
            query = client_query(rng, f"{short.capitalize()} {rng.choice(_SUFFIXES)}", short)
        name = f"desk_{number:06d}"
        quoted = query.replace("'", "''")  # YAML's single quotes
        text = f"name: {name}\ndescription: generated desk list {number}\nquery: '{quoted}'\n"
        lists.append((f"{name}.yaml", text))
    return lists


def write_desk(folder: Path, lists: Sequence[tuple[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, text in lists:
        (folder / file_name).write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--lists", type=int, default=10_000)
    parser.add_argument("--broad", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    write_desk(args.folder, desk(args.lists, args.broad, args.seed))
    print(f"{args.lists:,} watch-lists written to {args.folder}")


if __name__ == "__main__":
    main()
