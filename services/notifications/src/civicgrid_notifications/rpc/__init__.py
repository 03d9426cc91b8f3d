"""The gRPC servicer: proto <-> use case mapping only."""
