"""Evaluation against gold sets: `sitreps eval ...`. Sits on top of the pipeline."""
