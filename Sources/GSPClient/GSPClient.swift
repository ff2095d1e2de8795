// GSPClient: see docs/architecture.md
