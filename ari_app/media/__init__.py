"""Media: codecs, framing and the transports between Asterisk and the app."""
