// GSPPipeline: see docs/architecture.md
