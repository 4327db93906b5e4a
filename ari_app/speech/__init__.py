"""Speech: VAD, endpointing, barge-in, STT and TTS behind the protocols in :mod:`.ports`."""
