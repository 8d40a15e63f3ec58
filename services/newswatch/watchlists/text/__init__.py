"""Folding and cutting text: a raw title or body in, normalised text with a map back out.

The second stage, run on every article field (and on every term when rules are read),
so that a term and the text it is looked for in are treated alike. `script` says which
characters make words and how they fold, `irregular` finds the characters
`str.casefold()` alone does not fold, `normalize` builds the folded `NormalizedText`
with its offset map (skipping the page's `boilerplate` lines), `sentences` answers
sentence and word-distance questions and cuts evidence snippets, and `language`
guesses an article's language. No watch-list knowledge lives here.
"""
