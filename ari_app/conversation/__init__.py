"""The voice conversation: the turn loop between the caller's audio and the agent."""
