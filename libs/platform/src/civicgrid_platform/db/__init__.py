"""Database mechanism: engines, tenant binding and row-level security, the unit of work, and the
shapes of the outbox and inbox tables every service creates in its own database."""
