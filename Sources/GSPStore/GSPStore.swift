// GSPStore: see docs/architecture.md
