"""Graph nodes, one per module: route, model, tools, reply."""
