"""Turning raw bytes into report text, refusing what is not text with a clear reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, field_validator

from sitreps.model import AnalysisWarning

MAX_CHARS = 1_000_000
"""The longest text analysed (about 150,000 words, far beyond any news report)."""

# NUL cannot be stored in PostgreSQL text, and a lone surrogate cannot be written as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_BOMS = (("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))


class ReportRecord(BaseModel):
    """One line of a JSONL batch: the report text and what is known about it."""

    text: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    language: str | None = None  # ISO 639-1; detected from the text when not given

    @field_validator("text", "title", "outlet", "url", "language")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        return storable(value) if value is not None else None

    def with_defaults(
        self, outlet: str | None = None, published_at: datetime | None = None
    ) -> ReportRecord:
        """The record with a batch's outlet and publication time where it has none of its
        own."""
        return self.model_copy(
            update={
                "outlet": self.outlet if self.outlet is not None else outlet,
                "published_at": self.published_at or published_at,
            }
        )


def storable(text: str) -> str:
    """The text with characters no store can keep (NUL, lone surrogates) replaced by U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


class InputError(ValueError):
    """Input that cannot be analysed; the message says why and what to do."""


@dataclass
class DecodedText:
    text: str
    warnings: list[AnalysisWarning] = field(default_factory=list)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r\f\v\x1b")
    return control > len(sample) * 0.05


def decode(data: bytes, *, max_chars: int = MAX_CHARS) -> DecodedText:
    """Decode report bytes as UTF-8; invalid sequences are replaced and reported, not fatal."""
    if len(data) > 4 * max_chars:  # refused before decoding: no text that long is analysed
        raise InputError(
            f"input has {len(data):,} bytes, over the limit of {4 * max_chars:,} "
            f"({max_chars:,} characters); split it into reports or raise --max-chars"
        )
    for encoding, bom in _BOMS:
        if data.startswith(bom):
            return check_text(data.decode(encoding, errors="replace"), max_chars=max_chars)
    if _looks_binary(data):
        raise InputError("input looks binary (NUL or control bytes), not a text report")
    warnings = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        warnings.append(
            AnalysisWarning(
                code="invalid_utf8",
                message=f"input is not valid UTF-8 (first bad byte at offset {error.start}); "
                f"{bad} invalid sequence(s) replaced with U+FFFD",
            )
        )
    decoded = check_text(text, max_chars=max_chars)
    decoded.warnings[:0] = warnings
    return decoded


def check_text(text: str, *, max_chars: int = MAX_CHARS) -> DecodedText:
    """The text if it can be analysed, made storable; InputError says why it cannot."""
    if not text.strip():
        raise InputError("input is empty: there is no text to analyse")
    if len(text) > max_chars:
        raise InputError(
            f"input has {len(text):,} characters, over the limit of {max_chars:,}; "
            "split it into reports or raise the limit with --max-chars"
        )
    cleaned = storable(text)
    if cleaned == text:
        return DecodedText(text=text)
    replaced = sum(a != b for a, b in zip(text, cleaned, strict=True))
    message = f"{replaced} NUL or lone surrogate character(s) replaced with U+FFFD"
    return DecodedText(cleaned, [AnalysisWarning(code="unstorable_characters", message=message)])
