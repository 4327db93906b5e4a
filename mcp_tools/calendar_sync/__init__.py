"""Google Calendar sync: OAuth2 connections, the outbox of voice-made changes, the worker."""
