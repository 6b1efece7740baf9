from __future__ import annotations

import pytest

from sitreps.inputs import InputError, decode


def test_utf8_with_bom_and_utf16_decode() -> None:
    assert decode("Kharkiv".encode("utf-8-sig")).text == "Kharkiv"
    assert decode("Харків".encode("utf-16")).text == "Харків"


def test_invalid_utf8_is_replaced_and_reported() -> None:
    decoded = decode(b"Strike on Kharkiv \xff\xfe reported")
    assert "\ufffd" in decoded.text
    assert decoded.warnings[0].code == "invalid_utf8"


@pytest.mark.parametrize("data", [b"", b"\n \n", b"\x00\x01\x02binary", b"\x01\x02\x03\x04" * 100])
def test_non_text_is_refused(data: bytes) -> None:
    with pytest.raises(InputError):
        decode(data)


def test_limit_is_enforced() -> None:
    with pytest.raises(InputError, match="over the limit"):
        decode(b"x" * 101, max_chars=100)
