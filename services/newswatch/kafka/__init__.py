"""Everything that talks to Kafka as an operator would: the local broker and topic admin."""
