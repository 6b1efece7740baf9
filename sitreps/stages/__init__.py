"""Pipeline stages: one module, one job, each with `run(state)`. See sitreps/pipeline.py."""
