"""Helpers the tests import: paths, environments, worker processes, topics, watch-lists.

Fixtures stay in the conftest.py files; everything a test module imports lives here.
"""
