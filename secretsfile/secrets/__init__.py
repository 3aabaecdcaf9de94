"""secrets layer."""
