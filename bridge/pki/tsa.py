"""An RFC 3161 timestamp authority: requests in, signed ``TimeStampResp`` out.

Served over HTTP at ``POST /tsa`` and used in-process by the embedded default.
Malformed or unsupported requests get a ``rejection`` status with the RFC's
failure bits, as the RFC asks, rather than an HTTP error.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from asn1crypto import core, tsp, x509

from ..signing.cms import CmsSigner, _length

__all__ = ["TimestampAuthority"]

_DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}


def _rejection(fail_info: str, text: str) -> tsp.TimeStampResp:
    status = tsp.PKIStatusInfo(
        {
            "status": "rejection",
            "status_string": [text],
            "fail_info": tsp.PKIFailureInfo({fail_info}),
        }
    ).dump()
    # asn1crypto's schema insists on a token, which a rejection has none of:
    # encode the SEQUENCE { status } by hand and load it back.
    return tsp.TimeStampResp.load(b"\x30" + _length(len(status)) + status)


class TimestampAuthority:
    """Issues timestamp tokens signed by a TSA certificate (EKU timeStamping).

    :param signer: CMS signer over the TSA key and certificate (and its chain).
    :param policy_oid: the TSA policy the tokens are issued under.
    :param clock: source of the time; the real clock outside tests.
    """

    def __init__(
        self,
        signer: CmsSigner,
        policy_oid: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._signer = signer
        self._policy = policy_oid
        self._clock = clock
        self._tsa_name = x509.GeneralName(
            name="directory_name", value=signer.certificate.subject
        )

    def respond_der(self, request_der: bytes) -> bytes:
        """Answer a DER ``TimeStampReq`` with a DER ``TimeStampResp``."""
        try:
            request = tsp.TimeStampReq.load(request_der, strict=True)
            _ = request.native  # parse everything now, not halfway through signing
        except (ValueError, TypeError, OverflowError):
            return _rejection("bad_data_format", "malformed request").dump()
        return self.respond(request).dump()

    def respond(self, request: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Answer a parsed request."""
        if request["version"].native != "v1":
            return _rejection("bad_request", "unsupported version")
        imprint = request["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        if algorithm not in _DIGEST_SIZES:
            return _rejection("bad_alg", f"unsupported hash algorithm {algorithm}")
        if len(imprint["hashed_message"].native) != _DIGEST_SIZES[algorithm]:
            return _rejection("bad_data_format", "digest length does not match")
        requested_policy = request["req_policy"].native
        if requested_policy is not None and requested_policy != self._policy:
            return _rejection("unaccepted_policy", "unknown policy")
        if request["extensions"].native:
            return _rejection("unaccepted_extension", "extensions not supported")

        info = {
            "version": "v1",
            "policy": self._policy,
            "message_imprint": imprint,
            "serial_number": secrets.randbits(127),
            "gen_time": core.GeneralizedTime(self._clock()),
            "accuracy": {"seconds": 1},
            "tsa": self._tsa_name,
        }
        if request["nonce"].native is not None:
            info["nonce"] = request["nonce"]
        tst_info = tsp.TSTInfo(info).dump()
        token = self._signer.sign(
            hashlib.sha256(tst_info).digest(),
            content_type="tst_info",
            econtent=tst_info,
            include_certificates=bool(request["cert_req"].native),
        )
        return tsp.TimeStampResp(
            {
                "status": {"status": "granted"},
                "time_stamp_token": tsp.ContentInfo.load(token),
            }
        )
