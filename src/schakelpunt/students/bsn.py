"""The Dutch citizen service number (BSN): the elfproef, and how it is shown."""

import re

_DIGITS = re.compile(r"^\d{8,9}$")


def bsn_is_valid(value: str) -> bool:
    """Nine digits (eight with a leading zero left off) that pass the elfproef."""
    value = value.strip()
    if not _DIGITS.match(value):
        return False
    digits = [int(d) for d in value.zfill(9)]
    if not any(digits):
        return False
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


def bsn_normalise(value: str) -> str:
    return value.strip().zfill(9)


def bsn_masked(value: str) -> str:
    """Only the last three digits are ever shown: '•••••••82'."""
    return "" if not value else "•" * 6 + value[-3:]
