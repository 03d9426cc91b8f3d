"""Domain rules of notifications: pure, no I/O."""
