"""Third-party log lines that could carry a chat token, kept quiet and scrubbed.

An apprise URL holds its secret in plain sight (`tgram://BOT_TOKEN/CHAT`,
`discord://ID/TOKEN`), and apprise and urllib3 log URLs and tokens: at debug level
always, and apprise even at warning level for a token it finds malformed. So their
loggers are set to WARNING (when nothing set them), and every line they still emit while a URL is being sent
has that URL's parts (user, password, host, path segments, query values) replaced by
`***` before any handler sees it.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, unquote, urlsplit

# Loggers that log records themselves (a logger's filter does not see its children's).
LIBRARY_LOGGERS = ("apprise", "urllib3.connectionpool", "requests_oauthlib.oauth2_session")
MASK = "***"
# Shorter pieces (a port, `json`, `ok`) are left alone: hiding them would hide nothing.
_MIN_PIECE = 4


def url_pieces(url: str) -> set[str]:
    """The parts of a URL that may be secret, as written and URL-decoded."""
    try:
        parts = urlsplit(url)
        found = [parts.username, parts.password, parts.hostname, parts.netloc]
    except ValueError:
        return {url}
    found += parts.path.split("/")
    found += [value for _, value in parse_qsl(parts.query)]
    found += parts.fragment.split("/")
    pieces = {piece for piece in found if piece and len(piece) >= _MIN_PIECE}
    return pieces | {unquote(piece) for piece in pieces} | {url}


class RedactingFilter(logging.Filter):
    """Replaces the pieces of the URLs being sent, in every record that passes, by `***`."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._pieces: Counter[str] = Counter()

    @contextmanager
    def hiding(self, url: str) -> Iterator[None]:
        """While inside, the pieces of `url` never reach a log handler (any thread)."""
        pieces = url_pieces(url)
        with self._lock:
            self._pieces.update(pieces)
        try:
            yield
        finally:
            with self._lock:
                self._pieces.subtract(pieces)
                self._pieces = +self._pieces  # drop the zeros

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            # Longest first, so that a URL goes whole before its pieces are cut out of it.
            pieces = sorted(self._pieces, key=len, reverse=True)
        if pieces:
            text = record.getMessage()
            for piece in pieces:
                text = text.replace(piece, MASK)
            record.msg, record.args = text, None
            if record.exc_info is not None:  # a traceback's text could quote the URL too
                record.exc_text = MASK
        return True


REDACT = RedactingFilter()


def quiet_library_logs() -> None:
    """The libraries' loggers to WARNING (unless set already: an operator may want their
    debug lines, scrubbed too), each with the redacting filter. Idempotent."""
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        if library.level == logging.NOTSET:
            library.setLevel(logging.WARNING)
        if REDACT not in library.filters:
            library.addFilter(REDACT)
