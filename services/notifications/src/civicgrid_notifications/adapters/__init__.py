"""Concrete ports: SMTP, HTTP SMS/voice providers, webhooks, identity and volunteers over gRPC."""
