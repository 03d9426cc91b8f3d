"""One module per use case: each opens a unit of work, changes state, adds events, commits once."""
