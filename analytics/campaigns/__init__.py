"""Campaign outcomes: what past campaigns returned and who they moved."""
