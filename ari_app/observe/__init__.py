"""Observability: the call's stage events feed Prometheus metrics and Sentry."""
