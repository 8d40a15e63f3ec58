"""Boolean queries in a watch-list: `query: '("Acme Dynamics" OR acme*) NEAR/6 shipment*'`.

`lexer` cuts the text into tokens, `parser` builds the immutable tree of `nodes` (its
terms are the engine's `Pattern`s), `semantics` decides from the terms' mentions
whether an article matches and which mentions are the evidence, `reasons` says why
node by node (for `explain`), and `problems` turns a `QueryError` into the loader's
`file:line:column: message`. The loader reads `query:`; the engine's `query_scoring`
finds the terms with every other word. See "Boolean queries" in docs/watchlists.md.
"""
