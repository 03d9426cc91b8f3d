"""Messages from events on the right channel, the emergency-alert chain, signed webhooks."""
