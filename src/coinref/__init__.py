"""coinref."""
