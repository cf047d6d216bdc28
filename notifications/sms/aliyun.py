"""Alibaba Cloud SMS (Dysmsapi 2017-05-25, ``SendSms``) through its Python SDK.

A template names its variables (${reference}…): they go as ``TemplateParam``, a JSON object of
the names ``TEMPLATE_VARIABLES`` gives. The answer's body says ``"Code": "OK"`` or why not
(``isv.*`` for the message, ``isp.*`` for the provider); the platform refuses keys, signatures
and rates with an HTTP error, which the SDK raises. Missing credentials are an
ImproperlyConfigured when the backend is made.
"""

from __future__ import annotations

import json

from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import SendSmsRequest
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.models import Config
from darabonba.exceptions import UnretryableException
from django.conf import settings

from notifications.sms.base import TEMPLATE_VARIABLES, Outcome, Result, SmsBackend, TextMessage
from notifications.sms.providers import (
    credentials_hide,
    detail,
    endpoint,
    outcome_of,
    settings_required,
    template_refusal,
)

SENT, RETRY, FAILED = Outcome.SENT, Outcome.RETRY, Outcome.FAILED

# Codes from Alibaba Cloud's SendSms error-code list and its OpenAPI platform codes.
CODES = {
    "OK": SENT,
    # Rates and quotas: the same message goes through later.
    "isv.BUSINESS_LIMIT_CONTROL": RETRY,
    "isv.DAY_LIMIT_CONTROL": RETRY,
    # The account: it goes through once topped up or paid.
    "isv.AMOUNT_NOT_ENOUGH": RETRY,
    "isv.OUT_OF_SERVICE": RETRY,
    # The number: never deliverable.
    "isv.MOBILE_NUMBER_ILLEGAL": FAILED,
    "isv.MOBILE_COUNT_OVER_LIMIT": FAILED,
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED": FAILED,
    "isv.NOT_SUPPORTED_COUNTRY": FAILED,
    "isv.COUNTRY_RESTRICTED": FAILED,
    # The template, the sign name or the variables refused.
    "isv.SMS_TEMPLATE_ILLEGAL": FAILED,
    "isv.SMS_SIGNATURE_ILLEGAL": FAILED,
    "isv.SMS_SIGN_NAME_ILLEGAL": FAILED,
    "isv.TEMPLATE_MISSING_PARAMETERS": FAILED,
    "isv.INVALID_JSON_PARAM": FAILED,
    "isv.INVALID_PARAMETERS": FAILED,
    "isv.BLACK_KEY_CONTROL_LIMIT": FAILED,
    "isv.PARAM_LENGTH_LIMIT": FAILED,
    "isv.PARAM_NOT_SUPPORT_URL": FAILED,
    "isv.SMS_CONTENT_ILLEGAL": FAILED,
    "isv.EXTEND_CODE_ERROR": FAILED,
    # The account or its keys: nothing changes until someone fixes them.
    "isv.ACCOUNT_NOT_EXISTS": FAILED,
    "isv.ACCOUNT_ABNORMAL": FAILED,
    "isv.PRODUCT_UN_SUBSCRIPT": FAILED,
    "isv.PRODUCT_UNSUBSCRIBE": FAILED,
    "isv.DENY_IP_RANGE": FAILED,
    "isp.RAM_PERMISSION_DENY": FAILED,
    "isv.RAM_CHECK_FAILED": FAILED,
    "SignatureDoesNotMatch": FAILED,
    "IncompleteSignature": FAILED,
}
PREFIXES = (
    ("isv.BUSINESS_LIMIT", RETRY),
    ("Throttling", RETRY),
    ("ServiceUnavailable", RETRY),
    ("InternalError", RETRY),
    ("isp.", RETRY),
    ("InvalidAccessKeyId", FAILED),
    ("InvalidAccessKeySecret", FAILED),
    ("InvalidSecurityToken", FAILED),
    ("Forbidden", FAILED),
)
SETTINGS = (
    "DESK_SMS_ALIYUN_ACCESS_KEY_ID",
    "DESK_SMS_ALIYUN_ACCESS_KEY_SECRET",
    "DESK_SMS_SIGN_NAME",
)


def _client() -> Client:
    key_id = settings.DESK_SMS_ALIYUN_ACCESS_KEY_ID
    key_secret = settings.DESK_SMS_ALIYUN_ACCESS_KEY_SECRET
    credentials_hide(key_id, key_secret)
    host, scheme = endpoint()
    milliseconds = int(settings.DESK_SMS_TIMEOUT_SECONDS * 1000)
    config = Config(
        access_key_id=key_id,
        access_key_secret=key_secret,
        region_id=settings.DESK_SMS_ALIYUN_REGION,
        endpoint=host,
        protocol=scheme,
        connect_timeout=milliseconds,
        read_timeout=milliseconds,
    )
    return Client(config)


def _answer_of_error(error: Exception) -> Result:
    if isinstance(error, AlibabaCloudException):
        code = str(error.code) if error.code not in (None, "None") else f"HTTP{error.status_code}"
        return Result(outcome_of(code, CODES, PREFIXES), detail(code, error.message))
    if isinstance(error, UnretryableException):
        # The network (refused, timed out) or an answer that was not the API's JSON.
        inner = error.inner_exception
        return Result(RETRY, detail(type(inner).__name__, getattr(inner, "message", inner)))
    return Result(RETRY, detail(type(error).__name__, error))


class AliyunBackend(SmsBackend):
    def __init__(self) -> None:
        settings_required("aliyun", SETTINGS)
        self.client = _client()

    def send(self, message: TextMessage) -> Result:
        refusal = template_refusal(message)
        if refusal:
            return refusal
        variables = {name: str(message.params[name]) for name in TEMPLATE_VARIABLES[message.kind]}
        request = SendSmsRequest(
            phone_numbers=message.phone,
            sign_name=settings.DESK_SMS_SIGN_NAME,
            template_code=settings.DESK_SMS_TEMPLATES[message.kind],
            template_param=json.dumps(variables, ensure_ascii=False),
        )
        try:
            response = self.client.send_sms(request)
        except Exception as error:  # noqa: BLE001 - a send answers, it never raises
            return _answer_of_error(error)
        body = response.body
        code = str(body.code or "") if body else ""
        outcome = outcome_of(code, CODES, PREFIXES)
        text = "" if outcome is SENT else detail(code, body.message if body else "no body")
        return Result(outcome, text, provider_id=(body.biz_id or "") if body else "")
