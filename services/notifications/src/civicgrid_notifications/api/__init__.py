"""HTTP routes and schemas: parse, call a use case, shape the answer."""
