"""HTTP entry points: thin views that parse, call one service and serialize."""
