"""The local platform behind `make run`, shared with the end-to-end tests and `make bench`."""
