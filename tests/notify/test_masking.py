"""Destinations as logged: no secret part of a realistic URL survives masking."""

from __future__ import annotations

import pytest

from newswatch.notify.masking import mask_url
from newswatch.notify.subscriptions import Destination

# (url, the secret substrings in it, what the masked URL is)
CASES = [
    (
        "https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx",
        ["T0123ABCD", "B0123ABCD", "abcdefghijklmnopqrstuvwx"],
        "https://hooks.slack.com/services/****",
    ),
    (
        "https://discord.com/api/webhooks/123456789012345678/AbCdEf-ghIJ_klmnopQRST",
        ["123456789012345678", "AbCdEf-ghIJ_klmnopQRST"],
        "https://discord.com/api/webhooks/****",
    ),
    (
        "https://outlook.office.com/webhook/0a1b2c3d-aaaa@0a1b2c3d-bbbb/IncomingWebhook/9f8e7d6c/0a1b2c3d",
        ["0a1b2c3d-aaaa", "9f8e7d6c"],
        "https://outlook.office.com/webhook/****",
    ),
    (
        "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-1001234567",
        ["AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "123456789:"],
        "tgram://****/-1001234567",
    ),
    ("slack://T1234ABCD/B1234ABCD/XXXXXXXXXXXXXXXX/#general", ["T1234ABCD", "XXXXXXXXXXXXXXXX"], None),
    ("discord://123456789012/AbCdEfGhIjKlMnOp", ["AbCdEfGhIjKlMnOp"], "discord://****/****"),
    ("ntfy://alice:s3cretpw@ntfy.example.org/korea-alerts", ["s3cretpw", "korea-alerts"], None),
    ("ntfy://privatetopicname", ["privatetopicname"], "ntfy://****"),
    ("msteams://team/tokenA1/tokenB2/tokenC3", ["tokenA1", "tokenB2", "tokenC3"], None),
    ("pover://userkey123@apptoken456", ["userkey123", "apptoken456"], "pover://****@****"),
    ("mailtos://user:hunter2@smtp.example.org?to=desk@example.org", ["hunter2"], None),
    ("https://user:hunter2@hooks.example.org/in", ["hunter2"], "https://user:****@hooks.example.org/in"),
    ("https://ghp_abcdef123456@hooks.example.org/in", ["ghp_abcdef123456"], None),
    (
        "https://hooks.example.org/in?token=t0k&sig=zz&apikey=k&password=p&format=json",
        ["t0k", "=zz", "=k&", "=p&"],
        "https://hooks.example.org/in?token=****&sig=****&apikey=****&password=****&format=json",
    ),
    ("https://hooks.example.org/in?x=a1b2c3d4e5f6g7h8", ["a1b2c3d4e5f6g7h8"], None),
    ("json://receiver.example.org:8080/hook?secret=abc", ["abc"], None),
]


@pytest.mark.parametrize(("url", "secrets", "expected"), CASES)
def test_no_secret_survives(url: str, secrets: list[str], expected: str | None) -> None:
    masked = mask_url(url)
    for secret in secrets:
        assert secret not in masked, masked
    if expected is not None:
        assert masked == expected


def test_what_helps_an_operator_is_kept() -> None:
    assert mask_url("https://hooks.example.org/newswatch") == "https://hooks.example.org/newswatch"
    assert mask_url("mailto:desk@example.org") == "mailto:desk@example.org"
    assert mask_url("slack://T1/B1/X1/#general").endswith("/#general")


def test_what_is_not_a_url_is_masked_whole() -> None:
    assert mask_url("just some text with a s3cret") == "****"


def test_a_destination_shows_itself_masked() -> None:
    destination = Destination("tgram://123:SECRETTOKEN/42", "apprise")
    assert "SECRETTOKEN" not in repr(destination) and "SECRETTOKEN" not in str(destination)
    assert f"{destination}" == "tgram://****/42"
