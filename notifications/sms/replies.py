"""Residents' replies to text messages, as the providers push them to the desk.

Tencent Cloud (上行短信回调) posts one JSON object, or a list of them::

    {"mobile": "13800138000", "nationcode": "86", "text": "TD", "time": 1765072800,
     "sign": "海悦物业", "extend": ""}

Alibaba Cloud (SmsUp, 上行短信消息) posts a JSON list::

    [{"phone_number": "13800138000", "content": "TD", "send_time": "2026-12-07 10:00:00",
      "sign_name": "海悦物业", "dest_code": "", "sequence_id": 1}]

Each provider expects its own answer; a body that is neither is refused whole.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from residents.phones import normalise_phone

# What a resident replies to stop the messages: 退订 ("unsubscribe"), TD or T.
STOP_WORDS = frozenset({"td", "t", "退订"})
# Alibaba Cloud gives the reply's time in Beijing time, without a zone.
ALIYUN_ZONE = ZoneInfo("Asia/Shanghai")
MAX_REPLIES = 1000
_DIGITS = re.compile(r"\+?[0-9]{1,20}")
_NATIONCODE = re.compile(r"[0-9]{1,4}")
ANSWERS: dict[str, dict[str, Any]] = {
    "tencent": {"result": 0, "errmsg": "OK"},
    "aliyun": {"code": 0, "msg": "成功"},
}


class MalformedReplies(ValueError):
    """The body is not a reply push of either provider; nothing in it is taken."""


class Reply(NamedTuple):
    # Digits, as ``normalise_phone`` gives them: ``8613800138000``.
    phone: str
    text: str
    # When the resident sent it, by the provider's clock (None when it gave no time).
    at: dt.datetime | None


def replies_parse(body: bytes) -> tuple[str, list[Reply]]:
    """The provider (``tencent`` or ``aliyun``) and the replies in a pushed body."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedReplies("the body is not JSON") from None
    items = payload if isinstance(payload, list) else [payload]
    if not items or len(items) > MAX_REPLIES:
        raise MalformedReplies(f"expected 1 to {MAX_REPLIES} replies, got {len(items)}")
    if not all(isinstance(item, dict) for item in items):
        raise MalformedReplies("each reply must be a JSON object")
    if all("mobile" in item for item in items):
        return "tencent", [_tencent(item) for item in items]
    if isinstance(payload, list) and all("phone_number" in item for item in items):
        return "aliyun", [_aliyun(item) for item in items]
    raise MalformedReplies("neither a Tencent Cloud nor an Alibaba Cloud reply push")


def reply_stops(text: str) -> bool:
    """``TD``, ``t``, `` 退订。``: the text without spaces and punctuation is a stop word."""
    kept = "".join(
        char for char in text if not (char.isspace() or unicodedata.category(char)[0] in "PZC")
    )
    return kept.casefold() in STOP_WORDS


def _string(item: dict, key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise MalformedReplies(f"{key!r} must be a string")
    return value


def _phone(raw: str) -> str:
    if not _DIGITS.fullmatch(raw.strip()):
        raise MalformedReplies("a phone number must be digits")
    digits = normalise_phone(raw)
    if not 8 <= len(digits) <= 15:
        raise MalformedReplies("a phone number must have 8 to 15 digits")
    return digits


def _tencent(item: dict) -> Reply:
    mobile = _string(item, "mobile")
    nationcode = str(item.get("nationcode") or "")
    if nationcode and not _NATIONCODE.fullmatch(nationcode):
        raise MalformedReplies("'nationcode' must be digits")
    phone = _phone(f"+{nationcode}{mobile}" if nationcode else mobile)
    return Reply(phone, _string(item, "text"), _seconds(item.get("time")))


def _seconds(value: object) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedReplies("'time' must be seconds since 1970")
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedReplies("'time' is out of range") from None


def _aliyun(item: dict) -> Reply:
    phone = _phone(_string(item, "phone_number"))
    sent = item.get("send_time")
    when = None
    if sent is not None:
        try:
            when = dt.datetime.strptime(str(sent), "%Y-%m-%d %H:%M:%S").replace(tzinfo=ALIYUN_ZONE)
        except ValueError:
            raise MalformedReplies("'send_time' must read 2026-12-07 10:00:00") from None
    return Reply(phone, _string(item, "content"), when)
