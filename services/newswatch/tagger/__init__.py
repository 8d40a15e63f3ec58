"""The tagger: articles in, alerts and dead letters out.

`records` turns one raw Kafka record into alerts or a dead letter (no Kafka, no Faust);
`app` is the thin Faust adapter around it; `worker` starts it.
"""
