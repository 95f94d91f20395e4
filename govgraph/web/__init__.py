"""The web workbench: `govgraph serve`. See app.py."""
