"""keysources layer."""
