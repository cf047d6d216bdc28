"""Tencent Cloud SMS (API 2021-01-11, ``SendSms``) through its Python SDK.

A template numbers its variables ({1}, {2}…): they go as ``TemplateParamSet`` in the order
``TEMPLATE_VARIABLES`` gives. The whole request may be refused (``Response.Error``, raised by
the SDK as an exception), or accepted with a status per number (``SendStatusSet``, "Ok").
Missing credentials are an ImproperlyConfigured when the backend is made, which is when a
message is about to go.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111.models import SendSmsRequest
from tencentcloud.sms.v20210111.sms_client import SmsClient

from notifications.sms.base import Outcome, Result, SmsBackend, TextMessage
from notifications.sms.providers import (
    credentials_hide,
    detail,
    endpoint,
    outcome_of,
    settings_required,
    template_refusal,
    template_values,
)

SENT, RETRY, FAILED = Outcome.SENT, Outcome.RETRY, Outcome.FAILED

# Codes from the SDK's errorcodes.py (sms v20210111) and Tencent Cloud's common error codes.
CODES = {
    "Ok": SENT,
    # The number: never deliverable.
    "InvalidParameterValue.IncorrectPhoneNumber": FAILED,
    "FailedOperation.PhoneNumberInBlacklist": FAILED,
    "FailedOperation.PhoneNumberParseFail": FAILED,
    "MissingParameter.EmptyPhoneNumberSet": FAILED,
    "LimitExceeded.AppCountryOrRegionInBlacklist": FAILED,
    "LimitExceeded.PhoneNumberCountLimit": FAILED,
    # The template, the sign name or the variables refused.
    "FailedOperation.TemplateIncorrectOrUnapproved": FAILED,
    "FailedOperation.TemplateIdNotExist": FAILED,
    "FailedOperation.TemplateUnapprovedOrNotExist": FAILED,
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": FAILED,
    "FailedOperation.SignatureIncorrectOrUnapproved": FAILED,
    "FailedOperation.MissingSignature": FAILED,
    "FailedOperation.ContainSensitiveWord": FAILED,
    "InvalidParameter.DirtyWordFound": FAILED,
    "InvalidParameterValue.TemplateParameterFormatError": FAILED,
    "InvalidParameterValue.TemplateParameterLengthLimit": FAILED,
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": FAILED,
    "InvalidParameterValue.ContentLengthLimit": FAILED,
    "InvalidParameterValue.SdkAppIdNotExist": FAILED,
    "FailedOperation.ProhibitSubAccountUse": FAILED,
    # The account: it goes through once topped up or paid.
    "FailedOperation.InsufficientBalanceInSmsPackage": RETRY,
    "UnauthorizedOperation.ServiceSuspendDueToArrears": RETRY,
    # The network, and the provider's own trouble.
    "ClientNetworkError": RETRY,
    "ServerNetworkError": RETRY,
    "RequestLimitExceeded": RETRY,
}
PREFIXES = (
    ("LimitExceeded.", RETRY),
    ("RequestLimitExceeded.", RETRY),
    ("InternalError", RETRY),
    ("ResourceUnavailable", RETRY),
    # Keys, signatures, the app, permissions: nothing changes until someone fixes them.
    ("AuthFailure", FAILED),
    ("UnauthorizedOperation", FAILED),
    ("InvalidParameter", FAILED),
    ("MissingParameter", FAILED),
    ("UnsupportedOperation", FAILED),
    ("InvalidAction", FAILED),
)
SETTINGS = (
    "DESK_SMS_TENCENT_SECRET_ID",
    "DESK_SMS_TENCENT_SECRET_KEY",
    "DESK_SMS_TENCENT_SDK_APP_ID",
    "DESK_SMS_SIGN_NAME",
)


def _client() -> SmsClient:
    secret_id = settings.DESK_SMS_TENCENT_SECRET_ID
    secret_key = settings.DESK_SMS_TENCENT_SECRET_KEY
    credentials_hide(secret_id, secret_key)
    host, scheme = endpoint()
    http = HttpProfile(protocol=scheme, endpoint=host, reqTimeout=settings.DESK_SMS_TIMEOUT_SECONDS)
    try:
        credential = Credential(secret_id, secret_key)
    except TencentCloudSDKException as error:
        # Its message names the fault (empty, spaces), never the value.
        raise ImproperlyConfigured(f"Tencent Cloud SMS credentials: {error.message}") from None
    return SmsClient(credential, settings.DESK_SMS_TENCENT_REGION, ClientProfile(httpProfile=http))


class TencentBackend(SmsBackend):
    def __init__(self) -> None:
        settings_required("tencent", SETTINGS)
        self.client = _client()

    def send(self, message: TextMessage) -> Result:
        refusal = template_refusal(message)
        if refusal:
            return refusal
        request = SendSmsRequest()
        request.PhoneNumberSet = [message.phone]
        request.SmsSdkAppId = settings.DESK_SMS_TENCENT_SDK_APP_ID
        request.SignName = settings.DESK_SMS_SIGN_NAME
        request.TemplateId = settings.DESK_SMS_TEMPLATES[message.kind]
        request.TemplateParamSet = template_values(message)
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            code = str(error.code or "")
            return Result(outcome_of(code, CODES, PREFIXES), detail(code, error.message))
        except Exception as error:  # noqa: BLE001 - a send answers, it never raises
            return Result(RETRY, detail(type(error).__name__, error))
        statuses = response.SendStatusSet or []
        if not statuses:
            return Result(RETRY, detail("NoSendStatus", f"request {response.RequestId}"))
        status = statuses[0]
        code = str(status.Code or "")
        outcome = outcome_of(code, CODES, PREFIXES)
        text = "" if outcome is SENT else detail(code, status.Message)
        return Result(outcome, text, provider_id=status.SerialNo or "")
