"""OA side of the bridge: e-cology client and pushback, node actions, Stamp button."""
