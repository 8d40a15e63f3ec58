"""Destinations as they may appear in logs and messages: their secret parts masked.

Chat URLs carry their credentials in plain sight: a Slack webhook's last path segments,
a Telegram bot token as the host, a Discord webhook token, an ntfy topic (on a public
server the topic name is the only thing that keeps it private), a password in the
userinfo, a `?token=` in the query. `mask_url` keeps what helps an operator tell
destinations apart (the scheme, a host name, numeric ids, `#channel` names, a plain
leading path such as `/services`) and replaces the rest with `****`. When in doubt it
masks: a log line that says too little is a nuisance, one that says too much is a leak.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote

MASK = "****"
# Query parameters whose value is a credential, by name (matched as a part of the name).
_SECRET_PARAMETERS = re.compile(
    r"token|key|secret|sig|pass|pwd|auth|credential|session|code|hash", re.IGNORECASE
)
# A value that looks like a generated credential whatever its name: letters and digits, long.
_TOKEN_LIKE = re.compile(r"(?=.*\d)(?=.*[A-Za-z]).{12,}|.{32,}", re.DOTALL)
_HOST_NAME = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d{1,5})?\Z")
_NUMERIC_ID = re.compile(r"-?\d{1,20}\Z")
_CHANNEL = re.compile(r"[#@][A-Za-z0-9_.-]{1,80}\Z")
# The leading path segments of a web address that are kept: plain words, such as
# /services or /api/webhooks. The first other segment and everything after it is masked.
_PLAIN_SEGMENT = re.compile(r"[A-Za-z][A-Za-z_.-]{0,23}\Z")
_MAILTO = re.compile(r"mailto:([^?/:@\s]+@[A-Za-z0-9.-]+)(\?.*)?\Z", re.IGNORECASE | re.DOTALL)


def mask_url(url: str) -> str:
    """`url` with every part that may be a secret replaced by `****`."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        mailto = _MAILTO.match(url)
        # An address is no secret, and the log must say where an email went.
        return f"mailto:{mailto.group(1)}{_mask_query(mailto.group(2) or '')}" if mailto else MASK
    web = scheme.lower() in ("http", "https")
    rest, question, query = rest.partition("?")
    fragment = ""
    if web:  # in a chat URL '#' starts a channel name, in a web address a fragment
        rest, hash_sign, fragment = rest.partition("#")
        fragment = f"#{MASK}" if hash_sign else ""
    authority, slash, path = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    masked_host = host if web or _HOST_NAME.match(host) else MASK
    masked_path = _mask_web_path(path) if web else "/".join(_mask_segment(part) for part in path.split("/"))
    return (
        f"{scheme}://{_mask_userinfo(userinfo) + at}{masked_host}{slash}{masked_path}"
        f"{_mask_query(question + query)}{fragment}"
    )


def _mask_userinfo(userinfo: str) -> str:
    if not userinfo:
        return ""
    user, colon, _password = userinfo.partition(":")
    # A user name alone is often the token itself (https://TOKEN@host).
    shown_user = user if colon and _PLAIN_SEGMENT.match(user) else MASK
    return f"{shown_user}:{MASK}" if colon else shown_user


def _mask_web_path(path: str) -> str:
    parts = path.split("/")
    for position, part in enumerate(parts):
        if part and not _PLAIN_SEGMENT.match(part):
            return "/".join([*parts[:position], MASK])
    return path


def _mask_segment(part: str) -> str:
    if not part or _HOST_NAME.match(part) or _NUMERIC_ID.match(part) or _CHANNEL.match(part):
        return part
    return MASK


def _mask_query(query: str) -> str:
    """'?a=1&token=x' -> '?a=1&token=****'; names are kept, secret values masked."""
    if not query.startswith("?") or len(query) == 1:
        return query
    pairs = parse_qsl(query[1:], keep_blank_values=True)
    if not pairs:
        return f"?{MASK}"
    shown = []
    for name, value in pairs:
        secret = _SECRET_PARAMETERS.search(name) or _TOKEN_LIKE.match(value)
        shown.append(f"{quote(name, safe='')}={MASK if secret else quote(value, safe='')}")
    return "?" + "&".join(shown)
