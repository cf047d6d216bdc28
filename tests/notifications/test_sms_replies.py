"""Residents' replies pushed by the SMS providers: TD or 退订 stops the messages."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from notifications.sms.replies import MalformedReplies, replies_parse, reply_stops

SECRET = "reply-secret-3f9a2c7d1e"
URL = f"/sms/replies/{SECRET}/"
TENCENT_REPLY = {
    "mobile": "13800138000",
    "nationcode": "86",
    "text": "TD",
    "time": 1796608800,
    "sign": "海悦物业",
    "extend": "",
}
ALIYUN_REPLY = {
    "phone_number": "13912345678",
    "content": "退订",
    "send_time": "2026-12-07 10:00:00",
    "sign_name": "海悦物业",
    "dest_code": "1234",
    "sequence_id": 1234567890,
}


def _body(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


# Reading the push


def test_a_tencent_reply_is_read():
    provider, replies = replies_parse(_body(TENCENT_REPLY))

    assert provider == "tencent"
    assert replies == [("8613800138000", "TD", dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC))]


def test_a_tencent_list_of_replies_is_read():
    other = {**TENCENT_REPLY, "mobile": "4155550100", "nationcode": "44", "text": "谢谢"}

    provider, replies = replies_parse(_body([TENCENT_REPLY, other]))

    assert provider == "tencent"
    assert [(r.phone, r.text) for r in replies] == [
        ("8613800138000", "TD"),
        ("444155550100", "谢谢"),
    ]


def test_an_aliyun_push_is_read_in_beijing_time():
    provider, replies = replies_parse(_body([ALIYUN_REPLY]))

    assert provider == "aliyun"
    at = dt.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert replies == [("8613912345678", "退订", at)]
    assert replies[0].at.astimezone(dt.UTC).hour == 2


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"TD", "the body is not JSON"),
        (b"\xff\xfe", "the body is not JSON"),
        (b"[]", "expected 1 to 1000 replies, got 0"),
        (b'["TD"]', "each reply must be a JSON object"),
        (b'{"phone": "13800138000", "text": "TD"}', "neither a Tencent Cloud"),
        # Alibaba Cloud pushes a list, never a single object.
        (_body(ALIYUN_REPLY), "neither a Tencent Cloud"),
        (_body([TENCENT_REPLY, ALIYUN_REPLY]), "neither a Tencent Cloud"),
        (_body({**TENCENT_REPLY, "mobile": 13800138000}), "'mobile' must be a string"),
        (_body({**TENCENT_REPLY, "mobile": "138-0013"}), "a phone number must be digits"),
        (_body({**TENCENT_REPLY, "mobile": "12"}), "a phone number must have 8 to 15 digits"),
        (_body({**TENCENT_REPLY, "nationcode": "+86"}), "'nationcode' must be digits"),
        (_body({**TENCENT_REPLY, "text": None}), "'text' must be a string"),
        (_body({**TENCENT_REPLY, "time": "yesterday"}), "'time' must be seconds since 1970"),
        (_body({**TENCENT_REPLY, "time": 10**20}), "'time' is out of range"),
        (_body([{**ALIYUN_REPLY, "send_time": "07/12/2026"}]), "'send_time' must read"),
        (_body([{**ALIYUN_REPLY, "content": 1}]), "'content' must be a string"),
    ],
)
def test_a_malformed_push_is_refused_whole(body, error):
    with pytest.raises(MalformedReplies) as raised:
        replies_parse(body)

    assert str(raised.value).startswith(error)


@pytest.mark.parametrize(
    ("text", "stops"),
    [
        ("TD", True),
        ("td", True),
        (" T d。", True),
        ("T", True),
        ("t!", True),
        ("退订", True),
        ("退 订！", True),
        ("【退订】", True),
        ("TD 谢谢", False),
        ("退订了吗", False),
        ("停", False),
        ("", False),
        ("TDD", False),
    ],
)
def test_the_stop_words(text, stops):
    assert reply_stops(text) is stops


# The address


@pytest.fixture
def stops(monkeypatch):
    """What ``messages_stop`` was asked, in order."""
    calls: list[dict] = []
    monkeypatch.setattr("residents.services.messages_stop", lambda **kwargs: calls.append(kwargs))
    return calls


@pytest.fixture
def secret_set(settings):
    settings.DESK_SMS_REPLY_SECRET = SECRET


def _post(url: str, body: bytes):
    # As the providers post: no cookie, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    return client.post(url, body, content_type="application/json")


def test_a_tencent_td_stops_the_residents_messages(secret_set, stops):
    before = timezone.now()

    response = _post(URL, _body(TENCENT_REPLY))

    assert response.status_code == 200
    assert response.json() == {"result": 0, "errmsg": "OK"}
    assert [(c["phone"], c["via"]) for c in stops] == [("8613800138000", "reply")]
    assert before <= stops[0]["at"] <= timezone.now()


def test_an_aliyun_push_stops_only_those_who_asked(secret_set, stops):
    thanks = {**ALIYUN_REPLY, "phone_number": "13700000000", "content": "谢谢，已经修好了"}

    response = _post(URL, _body([ALIYUN_REPLY, thanks]))

    assert response.status_code == 200
    assert response.json() == {"code": 0, "msg": "成功"}
    assert [c["phone"] for c in stops] == ["8613912345678"]


def test_a_malformed_push_answers_400_and_stops_no_one(secret_set, stops):
    bad = {**TENCENT_REPLY, "mobile": "not a number"}

    response = _post(URL, _body([TENCENT_REPLY, bad]))

    assert response.status_code == 400
    assert response.json() == {"error": "a phone number must be digits"}
    assert stops == []


@pytest.mark.parametrize("secret", ["x", SECRET[:-1], SECRET[:-1] + "f", SECRET + "0"])
def test_a_wrong_secret_answers_404(secret_set, stops, secret):
    response = _post(f"/sms/replies/{secret}/", _body(TENCENT_REPLY))

    assert response.status_code == 404
    assert stops == []


def test_without_a_secret_set_there_is_no_address(settings, stops):
    settings.DESK_SMS_REPLY_SECRET = ""

    response = _post("/sms/replies/x/", _body(TENCENT_REPLY))

    assert response.status_code == 404
    assert stops == []


def test_the_address_takes_only_post(secret_set, stops):
    assert Client().get(URL).status_code == 405
    assert stops == []
