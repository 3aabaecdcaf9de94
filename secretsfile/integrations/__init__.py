"""Integrations with other libraries; each module imports its library, nothing else does."""
