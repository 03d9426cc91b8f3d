"""gRPC server and client factories shared by every service."""
