"""Outgoing (domain event -> proto + CloudEvent) and incoming (inbox-guarded handlers) events."""
