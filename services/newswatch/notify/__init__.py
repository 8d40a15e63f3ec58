"""Delivery of alerts, stories and spikes to the people and programs that subscribe to them.

The pure half, no Kafka and no network: `subscriptions` (the YAML file, read and checked
line by line), `routing` (which notifications a record makes, with deterministic ids),
`digest` (batches kept in a key-value store), `render` and `render_email` (the bytes a
webhook or an email carries, bounded), `masking` (destinations as they may be logged).
"""
