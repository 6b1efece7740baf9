"""Which language a report is written in, when its sender does not say.

`lingua` (statistical models bundled in its wheel) chooses among the languages sitreps
reads and the ones war reporting is most often written in besides, so that a German or
Arabic report is named as such (and analysed with a warning) rather than taken for
English. Low-accuracy mode reads trigrams only: news texts are long enough for it, and it
loads a sixth of the memory.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

READ = ("en", "ru", "uk")  # languages with a pipeline of their own
DEFAULT = "en"  # for text with no words to tell by
_RECOGNISED = (
    "ENGLISH", "RUSSIAN", "UKRAINIAN", "BELARUSIAN", "BULGARIAN", "SERBIAN", "POLISH",
    "GERMAN", "FRENCH", "SPANISH", "ITALIAN", "PORTUGUESE", "DUTCH", "ROMANIAN", "TURKISH",
    "ARABIC", "PERSIAN", "HEBREW", "CHINESE", "JAPANESE",
)  # fmt: skip
SAMPLE_CHARS = 5_000  # a long report's opening says its language


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _RECOGNISED]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect(text: str) -> str:
    """The ISO 639-1 code of the text's language ("en", "ru", "uk", "de" ...)."""
    found = _detector().detect_language_of(text[:SAMPLE_CHARS])
    return DEFAULT if found is None else found.iso_code_639_1.name.lower()
