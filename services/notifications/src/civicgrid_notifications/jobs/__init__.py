"""Background loops: the delivery dispatcher and the timers; safe with many replicas."""
