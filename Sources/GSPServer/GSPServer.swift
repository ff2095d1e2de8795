// GSPServer: see docs/architecture.md
