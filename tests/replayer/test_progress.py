"""The replay progress line: drawn on a terminal, silent otherwise."""

from __future__ import annotations

import io

from newswatch.replayer.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_that_ends_full_with_a_newline() -> None:
    screen = Terminal()
    progress = Progress(4, stream=screen, width=8)
    progress.advance(2)
    progress.advance(2)
    progress.close()
    assert screen.getvalue().startswith("\r[####....] 2/4 articles sent")
    assert screen.getvalue().endswith("\r[########] 4/4 articles sent\n")


def test_without_a_total_it_counts() -> None:
    screen = Terminal()
    progress = Progress(None, stream=screen)
    progress.advance(3)
    progress.close()
    assert screen.getvalue().endswith("\r3 articles sent\n")


def test_a_pipe_or_a_log_file_gets_nothing() -> None:
    log = io.StringIO()
    progress = Progress(2, stream=log)
    progress.advance(2)
    progress.close()
    assert log.getvalue() == ""
