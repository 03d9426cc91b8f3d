"""Notifications\x27 tables and repositories (repositories never commit)."""
