"""The agents' browser softphone and dashboard, served by the app."""
