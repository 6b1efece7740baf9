"""sitreps: turn war reporting into evidence."""

from sitreps.model import Analysis, Mode
from sitreps.pipeline import analyze

__all__ = ["Analysis", "Mode", "analyze"]
__version__ = "0.1.0"
