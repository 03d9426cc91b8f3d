"""`make bench`: figures measured against the real servers, printed as one table."""
