"""Pure text helpers shared by the agent and the tool server (neither imports the other)."""
