"""The subscriptions file: its keys, and one `file:line: message` per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.notify.exceptions import SubscriptionsInvalid
from newswatch.notify.subscriptions import check_subscriptions, load_subscriptions
from newswatch.watchlists.rules.yaml_nodes import MAX_FILE_BYTES

KNOWN = ("arms_transfers", "korean_peninsula", "sanctions")
FULL = """\
subscriptions:
  - name: korea-desk
    watchlists: [korean_peninsula]
    per: story
    min_score: 2
    spikes: true
    digest: 1h
    to:
      - https://hooks.example.org/newswatch
      - mailto:korea-desk@example.org
      - slack://T000/B000/XXXX/#korea
    secret_env: KOREA_SECRET
  - name: everything
    to: [mailto:all@example.org]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "subscriptions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    path = write(tmp_path, text)
    return [
        str(p).removeprefix(f"{path}:").strip()
        for p in check_subscriptions(path, environ=environ or {}, known_watchlists=KNOWN)
    ]


def one(tmp_path: Path, body: str) -> list[str]:
    """Problems of a file with one subscription: its lines start at line 2."""
    return problems(tmp_path, "subscriptions:\n  - name: desk\n" + body)


def test_every_key_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    korea, everything = load_subscriptions(
        path, environ={"KOREA_SECRET": " s3cret\n"}, known_watchlists=KNOWN
    )
    assert korea.name == "korea-desk" and korea.line == 2
    assert korea.watchlists == ("korean_peninsula",)
    assert (korea.per, korea.min_score, korea.spikes, korea.digest_seconds) == ("story", 2.0, True, 3600)
    assert [d.channel for d in korea.to] == ["webhook", "email", "apprise"]
    assert korea.signing_key() == b"s3cret"
    assert "s3cret" not in repr(korea) and "XXXX" not in repr(korea)
    assert (everything.watchlists, everything.per, everything.spikes) == (None, "story", False)
    assert (everything.digest_seconds, everything.min_score, everything.secret) == (None, None, None)
    assert everything.follows("anything")


@pytest.mark.parametrize(
    ("written", "seconds"), [("15m", 900), ("1h", 3600), ("1d", 86400), ("90 min", 5400)]
)
def test_digest_periods(tmp_path: Path, written: str, seconds: int) -> None:
    path = write(
        tmp_path, f"subscriptions:\n  - name: d\n    digest: {written}\n    to: [mailto:a@example.org]\n"
    )
    assert load_subscriptions(path, environ={})[0].digest_seconds == seconds


def test_periods_under_a_minute_only_with_a_lower_minimum(tmp_path: Path) -> None:
    path = write(tmp_path, "subscriptions:\n  - name: d\n    digest: 20s\n    to: [mailto:a@example.org]\n")
    with pytest.raises(SubscriptionsInvalid, match=r"3: 'digest' must be a period from 1m to 7d"):
        load_subscriptions(path, environ={})
    assert load_subscriptions(path, environ={}, min_digest_seconds=5)[0].digest_seconds == 20
    with pytest.raises(SubscriptionsInvalid, match=r"3: 'digest' must be a period from 30s to 7d"):
        load_subscriptions(path, environ={}, min_digest_seconds=30)


def test_secret_from_a_file_and_in_place(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    text = (
        "subscriptions:\n"
        f"  - {{name: a, to: [https://h.example.org/x], secret_file: {secret_file}}}\n"
        "  - {name: b, to: [https://h.example.org/x], secret: in-place}\n"
    )
    a, b = load_subscriptions(write(tmp_path, text), environ={})
    assert (a.signing_key(), b.signing_key()) == (b"from-file", b"in-place")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "    colour: red\n    to: [mailto:a@example.org]\n",
            "3: unknown setting 'colour' in a subscription",
        ),
        ("    per: stroy\n    to: [mailto:a@example.org]\n", "3: 'per' must be 'story'"),
        ("    spikes: yes\n    to: [mailto:a@example.org]\n", "3: 'spikes' must be true or false, not 'yes'"),
        ("    digest: 2w\n    to: [mailto:a@example.org]\n", "3: 'digest' must be a period from 1m to 7d"),
        ("    digest: 0m\n    to: [mailto:a@example.org]\n", "3: 'digest' must be a period"),
        ("    min_score: .nan\n    to: [mailto:a@example.org]\n", "3: 'min_score' must be a number"),
        ("    min_score: -1\n    to: [mailto:a@example.org]\n", "3: 'min_score' must be more than 0"),
        (
            "    watchlists: [sanction]\n    to: [mailto:a@example.org]\n",
            "3: there is no watch-list 'sanction'; did you mean 'sanctions'? (loaded: arms_transfers",
        ),
        (
            "    watchlists: [sanctions, sanctions]\n    to: [mailto:a@example.org]\n",
            "3: the watch-list 'sanctions' is listed twice",
        ),
        ("    to: []\n", "3: 'to' must be a list with at least one"),
        ("    to: [mailto:not-an-address]\n", "3: an email destination is 'mailto:' and one address"),
        ("    to: ['https://']\n", "3: a webhook destination is a web address"),
        (
            "    to: ['htps://h.example.org/tok3n']\n",
            "3: a destination must be an https:// webhook, a mailto: address or a chat URL",
        ),
        ("    to: [mailto:a@example.org, mailto:a@example.org]\n", "3: this destination is listed twice"),
        (
            "    to: [mailto:a@example.org]\n    secret: s\n",
            "4: 'secret' signs webhooks and this subscription has none",
        ),
        (
            "    to: [https://h.example.org/x]\n    secret: s\n    secret_env: S\n",
            "5: give one of secret, secret_env, not 2",
        ),
        (
            "    to: [https://h.example.org/x]\n    secret_env: NOT_SET\n",
            "4: the environment variable NOT_SET is not set or empty",
        ),
        (
            "    to: [https://h.example.org/x]\n    secret_file: /no/such/file\n",
            "4: cannot read the secret file /no/such/file",
        ),
    ],
)
def test_each_problem_has_its_line_and_says_what_to_change(tmp_path: Path, body: str, expected: str) -> None:
    found = one(tmp_path, body)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_a_bad_destination_is_not_quoted(tmp_path: Path) -> None:
    assert "tok3n" not in one(tmp_path, "    to: ['htps://h.example.org/tok3n']\n")[0]


def test_a_secret_is_never_quoted(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_bytes(b"abc\xff")
    found = one(tmp_path, f"    to: [https://h.example.org/x]\n    secret_file: {secret_file}\n")
    assert found == [f"4: the secret file {secret_file} is not UTF-8 text (a bad byte at position 3)"]


def test_names_and_required_keys(tmp_path: Path) -> None:
    text = (
        "subscriptions:\n"
        "  - name: Korea Desk\n    to: [mailto:a@example.org]\n"
        "  - to: [mailto:a@example.org]\n"
        "  - name: b\n"
        "  - {name: c, to: [mailto:a@example.org]}\n"
        "  - {name: c, to: [mailto:b@example.org]}\n"
    )
    assert problems(tmp_path, text) == [
        "2: the name 'Korea Desk' may only use lower-case letters, digits, '-' and '_' (at most 64; it names "
        "the subscription in logs, metrics and notification ids), e.g. 'korea-desk'",
        "4: each subscription needs a 'name:' line, e.g. 'name: korea-desk'",
        "5: each subscription needs a 'to:' line, e.g. 'to: [mailto:desk@example.org]'",
        "7: the name 'c' is used twice (also on line 6); give each subscription its own name",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["the file is empty; it needs a 'subscriptions:' list"]),
        (
            "subs: []\n",
            [
                "1: unknown setting 'subs' in the subscriptions file",
                "1: the file needs a 'subscriptions:' list",
            ],
        ),
        ("subscriptions: [\n", ["2: this is not valid YAML"]),
        (
            "subscriptions:\n  - &a {name: a, to: [mailto:a@example.org]}\n  - *a\n",
            [
                "2: '&a' marks a part of the file to repeat (a YAML anchor), which is not allowed; "
                "write each subscription out in full",
                "3: '*a' repeats another part of the file (a YAML alias), which is not allowed; "
                "write each subscription out in full",
            ],
        ),
    ],
)
def test_files_that_cannot_be_read(tmp_path: Path, text: str, expected: list[str]) -> None:
    found = problems(tmp_path, text)
    assert len(found) == len(expected)
    for line, start in zip(found, expected, strict=True):
        assert line.startswith(start), found


def test_a_file_over_the_cap_is_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, "#" * (MAX_FILE_BYTES + 1))
    (problem,) = check_subscriptions(path, environ={})
    assert problem.line is None and "a subscriptions file may have at most 1,048,576" in problem.reason


def test_load_raises_with_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "subscriptions:\n  - {name: a, per: x, spikes: 1, to: [mailto:a@example.org]}\n")
    with pytest.raises(SubscriptionsInvalid) as raised:
        load_subscriptions(path, environ={})
    assert len(raised.value.problems) == 2 and str(raised.value).startswith(
        "2 problems in the subscriptions:"
    )


def test_watchlist_names_are_not_checked_without_a_list(tmp_path: Path) -> None:
    path = write(
        tmp_path, "subscriptions:\n  - {name: a, watchlists: anything, to: [mailto:a@example.org]}\n"
    )
    assert load_subscriptions(path, environ={})[0].watchlists == ("anything",)
