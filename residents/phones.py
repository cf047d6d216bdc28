"""Phone numbers as residents give them, reduced to digits so that look-ups match."""

import re

_NON_DIGITS = re.compile(r"\D+")


def normalise_phone(raw: str) -> str:
    """``+86 138-1234-5678`` and ``13812345678`` both become ``8613812345678``."""
    digits = _NON_DIGITS.sub("", raw or "")
    if digits.startswith("00"):
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        digits = "86" + digits
    return digits


def mask_phone(phone: str) -> str:
    """``8613812345678`` → ``138****5678``: enough to confirm, too little to misuse."""
    digits = _NON_DIGITS.sub("", phone or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"
