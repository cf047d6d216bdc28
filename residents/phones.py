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


_MAINLAND_MOBILE = re.compile(r"^861[3-9]\d{9}$")
_INTERNATIONAL = re.compile(r"^[1-9]\d{7,14}$")


def phone_is_valid(phone: str) -> bool:
    """A mainland mobile (``86`` and 11 digits starting 13–19), or an international number of
    8 to 15 digits in all, not starting with 0; as ``normalise_phone`` leaves it."""
    digits = normalise_phone(phone)
    if digits.startswith("86"):
        return bool(_MAINLAND_MOBILE.match(digits))
    return bool(_INTERNATIONAL.match(digits))


def e164(phone: str) -> str:
    """``138 1234 5678`` → ``+8613812345678``; ValueError for what no network would take."""
    if not phone_is_valid(phone):
        raise ValueError(f"not a valid phone number: {mask_phone(phone)}")
    return "+" + normalise_phone(phone)
