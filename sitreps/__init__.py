"""sitreps: turn war reporting into evidence."""

from sitreps.model import Analysis
from sitreps.pipeline import analyze

__all__ = ["Analysis", "analyze"]
__version__ = "0.1.0"
