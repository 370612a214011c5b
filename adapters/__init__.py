"""The edges: HTTP API, web pages, Kafka relay, event contracts."""
