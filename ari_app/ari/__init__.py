"""ARI: typed events, REST calls and the events websocket."""
