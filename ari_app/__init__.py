"""The telephony edge: typed ARI client, calls, media sessions (see DESIGN.md)."""
