// GSPImport: see docs/architecture.md
