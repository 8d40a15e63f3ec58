"""The collector pause: resumed as it was, and what was made inside handed to the oldest generation."""

from __future__ import annotations

import gc

from newswatch.watchlists.rules.collector import collector_paused


class _Kept:
    """A fresh kind of object, so that the test can find its own among the collector's."""


def _generation_of(kept: _Kept) -> int | None:
    return next(
        (generation for generation in range(3) if any(item is kept for item in gc.get_objects(generation))),
        None,
    )


def test_objects_made_while_paused_go_to_the_oldest_generation() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        kept = _Kept()
        assert _generation_of(kept) == 0
    assert gc.isenabled()
    assert _generation_of(kept) == 2


def test_a_nested_pause_keeps_the_collector_off_until_the_outer_one_ends() -> None:
    with collector_paused():
        with collector_paused():
            kept = _Kept()
        assert not gc.isenabled()
        assert _generation_of(kept) == 0  # only the outer block hands objects on
    assert gc.isenabled()
    assert _generation_of(kept) == 2


def test_a_collector_disabled_by_the_caller_stays_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
