"""The Tencent Cloud and Alibaba Cloud backends, each SDK pointed at a stand-in of its API on
127.0.0.1 through ``DESK_SMS_ENDPOINT``: what the SDK really sent, and how each answer is read."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications.sms import Outcome, TextMessage, backend_get
from notifications.sms.aliyun import AliyunBackend
from notifications.sms.base import TEMPLATE_VARIABLES
from notifications.sms.tencent import TencentBackend
from tests.notifications.standin import (
    Answer,
    port_with_nothing_listening,
    standin_start,
    standin_stop,
)

TENCENT_ID, TENCENT_KEY = "AKIDstandinsecretid0123456789", "standin-secret-key-0123456789"
ALIYUN_ID, ALIYUN_SECRET = "LTAI5tStandInKeyId012345", "standin-access-key-secret-0123"
SECRETS = (TENCENT_ID, TENCENT_KEY, ALIYUN_ID, ALIYUN_SECRET)
PLANNED = TextMessage(
    phone="+8613812345678",
    kind="planned",
    params={"reference": "HY-2026-0042", "plan": "明天上午更换水泵", "due": "12月8日 12:00"},
    text="【海悦物业】您反映的问题 HY-2026-0042 已安排：明天上午更换水泵，12月8日 12:00 前完成。",
)


@pytest.fixture
def standin():
    server = standin_start()
    yield server
    standin_stop(server)


@pytest.fixture
def sms_settings(settings, standin):
    settings.DESK_SMS_ENDPOINT = standin.endpoint
    settings.DESK_SMS_ENDPOINT_SCHEME = "http"
    settings.DESK_SMS_TIMEOUT_SECONDS = 0.5
    settings.DESK_SMS_SIGN_NAME = "海悦物业"
    settings.DESK_SMS_TEMPLATES = {kind: f"T-{kind}" for kind in TEMPLATE_VARIABLES}
    settings.DESK_SMS_TEMPLATES["planned"] = "1234567"
    settings.DESK_SMS_TENCENT_SECRET_ID = TENCENT_ID
    settings.DESK_SMS_TENCENT_SECRET_KEY = TENCENT_KEY
    settings.DESK_SMS_TENCENT_SDK_APP_ID = "1400006666"
    settings.DESK_SMS_ALIYUN_ACCESS_KEY_ID = ALIYUN_ID
    settings.DESK_SMS_ALIYUN_ACCESS_KEY_SECRET = ALIYUN_SECRET
    return settings


def tencent_status(code: str, message: str = "", serial: str = "") -> dict:
    status = {
        "SerialNo": serial,
        "PhoneNumber": "+8613812345678",
        "Fee": 1 if code == "Ok" else 0,
        "SessionContext": "",
        "Code": code,
        "Message": message,
        "IsoCode": "CN",
    }
    return {"Response": {"SendStatusSet": [status], "RequestId": "a0aabda6-cf91-4f3e"}}


def tencent_error(code: str, message: str) -> dict:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "b5b41468"}}


def aliyun_answer(code: str, message: str, biz_id: str = "") -> dict:
    body = {"Code": code, "Message": message, "RequestId": "F655A8D5-B967-440B"}
    if biz_id:
        body["BizId"] = biz_id
    return body


# Tencent Cloud


def test_tencent_sends_the_template_and_its_variables_in_order(sms_settings, standin):
    standin.answer_json(tencent_status("Ok", "send success", "5000:1045710669157053657849499619"))

    result = TencentBackend().send(PLANNED)

    assert (result.outcome, result.provider_id, result.detail) == (
        Outcome.SENT,
        "5000:1045710669157053657849499619",
        "",
    )
    [request] = standin.received
    assert request.path == "/"
    assert request.headers["x-tc-action"] == "SendSms"
    assert request.headers["x-tc-version"] == "2021-01-11"
    assert request.headers["x-tc-region"] == "ap-guangzhou"
    assert request.headers["content-type"].startswith("application/json")
    assert request.json() == {
        "PhoneNumberSet": ["+8613812345678"],
        "SmsSdkAppId": "1400006666",
        "SignName": "海悦物业",
        "TemplateId": "1234567",
        "TemplateParamSet": ["HY-2026-0042", "明天上午更换水泵", "12月8日 12:00"],
    }


@pytest.mark.parametrize(
    ("answer", "outcome", "detail"),
    [
        (
            tencent_status("LimitExceeded.PhoneNumberThirtySecondLimit", "30秒内超频"),
            Outcome.RETRY,
            "LimitExceeded.PhoneNumberThirtySecondLimit: 30秒内超频",
        ),
        (
            tencent_error("RequestLimitExceeded", "请求的次数超过了频率限制。"),
            Outcome.RETRY,
            "RequestLimitExceeded: 请求的次数超过了频率限制。",
        ),
        (
            tencent_status("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误"),
            Outcome.FAILED,
            "InvalidParameterValue.IncorrectPhoneNumber: 手机号格式错误",
        ),
        (
            tencent_status("FailedOperation.PhoneNumberInBlacklist", "号码在黑名单中"),
            Outcome.FAILED,
            "FailedOperation.PhoneNumberInBlacklist: 号码在黑名单中",
        ),
        (
            tencent_error(
                "FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配"
            ),
            Outcome.FAILED,
            "FailedOperation.TemplateIncorrectOrUnapproved: 模板未审批或内容不匹配",
        ),
        (
            tencent_error("AuthFailure.SecretIdNotFound", "The SecretId is not found."),
            Outcome.FAILED,
            "AuthFailure.SecretIdNotFound: The SecretId is not found.",
        ),
        (
            tencent_error("InternalError.Timeout", "内部超时"),
            Outcome.RETRY,
            "InternalError.Timeout: 内部超时",
        ),
        (
            tencent_status("SomethingNew.NeverSeen", "?"),
            Outcome.RETRY,
            "SomethingNew.NeverSeen: ?",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_tencent_answers_are_sorted(sms_settings, standin, answer, outcome, detail):
    standin.answer_json(answer)

    result = TencentBackend().send(PLANNED)

    assert (result.outcome, result.detail) == (outcome, detail)
    assert len(standin.received) == 1


def test_tencent_http_500_is_retried(sms_settings, standin):
    standin.answer = Answer(500, b"<html>502 Bad Gateway</html>", "text/html")

    result = TencentBackend().send(PLANNED)

    assert result.outcome == Outcome.RETRY
    assert result.detail.startswith("ServerNetworkError: ")


def test_tencent_timeout_is_retried(sms_settings, standin):
    standin.answer = Answer(body=json.dumps(tencent_status("Ok")).encode(), delay=2)

    result = TencentBackend().send(PLANNED)

    assert result.outcome == Outcome.RETRY
    assert result.detail.startswith("ClientNetworkError: ")
    assert "timed out" in result.detail


def test_tencent_nothing_listening_is_retried(sms_settings):
    sms_settings.DESK_SMS_ENDPOINT = f"127.0.0.1:{port_with_nothing_listening()}"

    result = TencentBackend().send(PLANNED)

    assert result.outcome == Outcome.RETRY
    assert result.detail.startswith("ClientNetworkError: ")
    assert "refused" in result.detail.lower()


# Alibaba Cloud


def test_aliyun_sends_the_template_and_its_named_variables(sms_settings, standin):
    standin.answer_json(aliyun_answer("OK", "OK", biz_id="900619746936498440^0"))

    result = AliyunBackend().send(PLANNED)

    assert (result.outcome, result.provider_id, result.detail) == (
        Outcome.SENT,
        "900619746936498440^0",
        "",
    )
    [request] = standin.received
    assert request.path == "/"
    # The SDK signs with ACS3-HMAC-SHA256: the action and version travel as headers.
    assert request.headers["x-acs-action"] == "SendSms"
    assert request.headers["x-acs-version"] == "2017-05-25"
    assert request.headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=" + ALIYUN_ID)
    assert request.query.keys() == {"PhoneNumbers", "SignName", "TemplateCode", "TemplateParam"}
    assert request.query["PhoneNumbers"] == "+8613812345678"
    assert request.query["SignName"] == "海悦物业"
    assert request.query["TemplateCode"] == "1234567"
    assert json.loads(request.query["TemplateParam"]) == {
        "reference": "HY-2026-0042",
        "plan": "明天上午更换水泵",
        "due": "12月8日 12:00",
    }


@pytest.mark.parametrize(
    ("status", "answer", "outcome", "detail"),
    [
        (
            200,
            aliyun_answer("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"),
            Outcome.RETRY,
            "isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控Permits:1",
        ),
        (
            400,
            aliyun_answer("Throttling.User", "Request was denied due to user flow control."),
            Outcome.RETRY,
            "Throttling.User: code: 400, Request was denied due to user flow control. "
            "request id: F655A8D5-B967-440B",
        ),
        (
            200,
            aliyun_answer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"),
            Outcome.FAILED,
            "isv.MOBILE_NUMBER_ILLEGAL: 非法手机号",
        ),
        (
            200,
            aliyun_answer("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"),
            Outcome.FAILED,
            "isv.SMS_TEMPLATE_ILLEGAL: 该账号下找不到对应模板",
        ),
        (
            200,
            aliyun_answer("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名"),
            Outcome.FAILED,
            "isv.SMS_SIGNATURE_ILLEGAL: 该账号下找不到对应签名",
        ),
        (
            200,
            aliyun_answer("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量"),
            Outcome.FAILED,
            "isv.TEMPLATE_MISSING_PARAMETERS: 模板缺少变量",
        ),
        (
            404,
            aliyun_answer("InvalidAccessKeyId.NotFound", "Specified access key is not found."),
            Outcome.FAILED,
            "InvalidAccessKeyId.NotFound: code: 404, Specified access key is not found. "
            "request id: F655A8D5-B967-440B",
        ),
        (
            200,
            aliyun_answer("isp.SYSTEM_ERROR", "系统错误"),
            Outcome.RETRY,
            "isp.SYSTEM_ERROR: 系统错误",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_aliyun_answers_are_sorted(sms_settings, standin, status, answer, outcome, detail):
    standin.answer_json(answer, status=status)

    result = AliyunBackend().send(PLANNED)

    assert (result.outcome, result.detail) == (outcome, detail)
    assert len(standin.received) == 1


def test_aliyun_http_500_is_retried(sms_settings, standin):
    standin.answer = Answer(500, b"<html>502 Bad Gateway</html>", "text/html")

    result = AliyunBackend().send(PLANNED)

    assert result.outcome == Outcome.RETRY
    # The SDK cannot read the gateway's page as the API's JSON: it says so, page and all.
    assert result.detail.startswith("RuntimeError: Failed to parse the value as json")
    assert "502 Bad Gateway" in result.detail


def test_aliyun_http_500_with_the_apis_error_is_retried(sms_settings, standin):
    standin.answer_json(aliyun_answer("InternalError", "The request processing has failed."), 500)

    result = AliyunBackend().send(PLANNED)

    assert result.outcome == Outcome.RETRY
    assert result.detail.startswith("InternalError: code: 500, The request processing has failed.")


def test_aliyun_timeout_is_retried(sms_settings, standin):
    standin.answer = Answer(body=json.dumps(aliyun_answer("OK", "OK")).encode(), delay=2)

    result = AliyunBackend().send(PLANNED)

    assert result.outcome == Outcome.RETRY
    assert result.detail.startswith("RetryError: ")
    assert "timed out" in result.detail


def test_aliyun_nothing_listening_is_retried(sms_settings):
    sms_settings.DESK_SMS_ENDPOINT = f"127.0.0.1:{port_with_nothing_listening()}"

    result = AliyunBackend().send(PLANNED)

    assert result.outcome == Outcome.RETRY
    assert result.detail.startswith("RetryError: ")
    assert "refused" in result.detail.lower()


# Both


@pytest.mark.parametrize("backend", ["tencent", "aliyun"])
def test_a_kind_without_a_template_fails_without_a_request(sms_settings, standin, backend):
    sms_settings.DESK_SMS_BACKEND = backend
    sms_settings.DESK_SMS_TEMPLATES = {**sms_settings.DESK_SMS_TEMPLATES, "planned": ""}

    result = backend_get().send(PLANNED)

    assert (result.outcome, result.detail) == (
        Outcome.FAILED,
        "no template for planned: set DESK_SMS_TEMPLATE_PLANNED",
    )
    assert standin.received == []


@pytest.mark.parametrize("backend", ["tencent", "aliyun"])
def test_a_missing_variable_fails_without_a_request(sms_settings, standin, backend):
    sms_settings.DESK_SMS_BACKEND = backend
    message = TextMessage(phone="+8613812345678", kind="planned", params={"reference": "X"})

    result = backend_get().send(message)

    assert (result.outcome, result.detail) == (
        Outcome.FAILED,
        "planned lacks variables: plan, due",
    )
    assert standin.received == []


@pytest.mark.parametrize(
    ("backend", "missing"),
    [
        ("tencent", "DESK_SMS_TENCENT_SECRET_KEY"),
        ("tencent", "DESK_SMS_TENCENT_SDK_APP_ID"),
        ("aliyun", "DESK_SMS_ALIYUN_ACCESS_KEY_SECRET"),
        ("aliyun", "DESK_SMS_SIGN_NAME"),
    ],
)
def test_missing_settings_are_named_when_the_backend_is_made(sms_settings, backend, missing):
    sms_settings.DESK_SMS_BACKEND = backend
    setattr(sms_settings, missing, "")

    with pytest.raises(ImproperlyConfigured) as raised:
        backend_get()

    assert missing in str(raised.value)
    assert not any(secret in str(raised.value) for secret in SECRETS)


def test_every_kind_has_a_template_setting(settings):
    assert settings.DESK_SMS_TEMPLATES.keys() == TEMPLATE_VARIABLES.keys()


@pytest.mark.parametrize("backend", ["tencent", "aliyun"])
@pytest.mark.parametrize("answer", ["ok", "refused"])
def test_no_credential_is_logged_or_kept(
    sms_settings, standin, caplog, monkeypatch, backend, answer
):
    # Alibaba Cloud's SDK logs each request's headers when DEBUG=sdk.
    monkeypatch.setenv("DEBUG", "sdk")
    sms_settings.DESK_SMS_BACKEND = backend
    echo = f"key {ALIYUN_ID} / {TENCENT_ID} refused"
    answers = {
        ("tencent", "ok"): tencent_status("Ok", "send success", "5000:1"),
        ("tencent", "refused"): tencent_error("AuthFailure.SignatureFailure", echo),
        ("aliyun", "ok"): aliyun_answer("OK", "OK", "1^0"),
        ("aliyun", "refused"): aliyun_answer("SignatureDoesNotMatch", echo),
    }
    # Tencent Cloud answers a refusal with 200 and an Error; Alibaba Cloud's platform with 4xx.
    refused_by_status = backend == "aliyun" and answer == "refused"
    standin.answer_json(answers[backend, answer], status=400 if refused_by_status else 200)
    caplog.set_level(logging.DEBUG)

    result = backend_get().send(PLANNED)

    assert result.outcome == (Outcome.SENT if answer == "ok" else Outcome.FAILED)
    logged = caplog.text
    assert len(standin.received) == 1
    for secret in SECRETS:
        assert secret not in logged
        assert secret not in result.detail
    # The SDK did log the request, Authorization header and all, but without the key.
    assert "authorization" in logged.lower()
    assert "[redacted]" in logged
