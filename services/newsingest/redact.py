"""Redaction of credentials in URLs and messages before they reach logs or the DLQ."""

from __future__ import annotations

import re

# user:password@ in an authority, and the values of query parameters that carry secrets.
_USERINFO = re.compile(r"(?<=://)[^/@\s:]+(?::[^/@\s]*)?@")
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:access_token|token|api_key|apikey|key|password|passwd|pwd|secret|"
    r"sig|signature|auth|session|sessionid|client_secret)=)[^&#\s]*"
)


def redact(text: str) -> str:
    """``text`` with URL credentials and secret query values replaced by ``***``."""
    return _SECRET_PARAM.sub(r"\1***", _USERINFO.sub("***@", text))
