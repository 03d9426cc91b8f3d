"""Event mechanism: CloudEvents over Kafka, the outbox relay, topics, and the consumer runner
with its inbox and dead-letter topics."""
