"""sitreps: turn war reporting into evidence."""

import os

# Before torch loads: oneDNN keeps a compiled kernel for each shape of input its LSTMs meet
# (each report's length, each batch of the cue reader's windows), 1,024 by default, and
# that cache alone took a process past 1 GB over 200 reports (docs/quality.md).
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "16")

from sitreps.model import Analysis, Mode
from sitreps.pipeline import analyze

__all__ = ["Analysis", "Mode", "analyze"]
__version__ = "0.1.0"
