// GSPWire: see docs/architecture.md
