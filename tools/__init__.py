"""What runs beside the streaming pipeline: simulator, benchmarks, local broker launcher, Kafka feed,
evaluation, training, cue profiling and the JSON Schema / AsyncAPI writers. Nothing imports the tools
but the command line (the layering contract in pyproject.toml)."""
