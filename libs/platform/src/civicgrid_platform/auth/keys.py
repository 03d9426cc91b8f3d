"""Public verification keys parsed from JWKs, and JWS signature checks (RFC 7515/7518/8037).

Only asymmetric keys are accepted: a JWKS never carries a shared secret, so an HS* token can
never find a key to be checked against.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | Ed25519PublicKey | Ed448PublicKey

MIN_RSA_BITS = 2048

_HASHES: dict[str, hashes.HashAlgorithm] = {
    "256": hashes.SHA256(),
    "384": hashes.SHA384(),
    "512": hashes.SHA512(),
}
RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
# JWS fixes the curve for each ECDSA algorithm; the curve name is cryptography's.
_EC_CURVES = {
    "P-256": ("ES256", ec.SECP256R1()),
    "P-384": ("ES384", ec.SECP384R1()),
    "P-521": ("ES512", ec.SECP521R1()),
}
SUPPORTED_ALGORITHMS = RSA_ALGORITHMS | {"ES256", "ES384", "ES512", "EdDSA"}

# Stateless, so built once instead of per verification.
_PKCS1 = padding.PKCS1v15()
_PSS = {
    bits: padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size) for bits, h in _HASHES.items()
}


class UnusableKey(ValueError):
    """A JWK we will not verify with (wrong type, private material, too weak, malformed)."""


@dataclass(frozen=True, slots=True)
class VerificationKey:
    kid: str
    algorithms: frozenset[str]  # header `alg` values this key may verify
    public_key: PublicKey

    def verify(self, alg: str, signing_input: bytes, signature: bytes) -> bool:
        """True if `signature` is this key's signature of `signing_input` under `alg`."""
        if alg not in self.algorithms:
            return False
        key = self.public_key
        try:
            if isinstance(key, rsa.RSAPublicKey):
                pad = _PKCS1 if alg[0] == "R" else _PSS[alg[2:]]
                key.verify(signature, signing_input, pad, _HASHES[alg[2:]])
            elif isinstance(key, ec.EllipticCurvePublicKey):
                size = (key.curve.key_size + 7) // 8
                if len(signature) != 2 * size:
                    return False
                der = encode_dss_signature(
                    int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
                )
                key.verify(der, signing_input, ec.ECDSA(_HASHES[alg[2:]]))
            else:
                key.verify(signature, signing_input)
        except InvalidSignature:
            return False
        return True


def key_from_jwk(jwk: Mapping[str, Any]) -> VerificationKey:
    """Parse one public JWK; UnusableKey explains why a key is refused."""
    kid = jwk.get("kid")
    if not isinstance(kid, str) or not kid:
        raise UnusableKey("key has no kid")
    if "d" in jwk:
        raise UnusableKey(
            f"key {kid} carries private material; a JWKS must publish public keys only"
        )
    if jwk.get("use", "sig") != "sig":
        raise UnusableKey(f"key {kid} is not a signing key")
    ops = jwk.get("key_ops")
    if ops is not None and "verify" not in ops:
        raise UnusableKey(f"key {kid} does not allow verify")
    try:
        public_key, algorithms = _public_key(kid, jwk)
    except (KeyError, TypeError, binascii.Error) as error:
        raise UnusableKey(f"key {kid} is malformed: {error!r}") from error
    except UnusableKey:
        raise
    except ValueError as error:  # cryptography: not a point on the curve, bad key size, ...
        raise UnusableKey(f"key {kid} is malformed: {error}") from error
    declared = jwk.get("alg")
    if declared is not None:
        # A key that names its algorithm may only be used with exactly that one.
        if declared not in algorithms:
            raise UnusableKey(f"key {kid} declares alg {declared!r} that does not fit its type")
        algorithms = frozenset({declared})
    return VerificationKey(kid=kid, algorithms=algorithms, public_key=public_key)


def _public_key(kid: str, jwk: Mapping[str, Any]) -> tuple[PublicKey, frozenset[str]]:
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "RSA":
        rsa_key = rsa.RSAPublicNumbers(_b64_int(jwk["e"]), _b64_int(jwk["n"])).public_key()
        if rsa_key.key_size < MIN_RSA_BITS:
            raise UnusableKey(f"key {kid} is shorter than {MIN_RSA_BITS} bits")
        return rsa_key, RSA_ALGORITHMS
    if kty == "EC" and isinstance(crv, str) and crv in _EC_CURVES:
        alg, curve = _EC_CURVES[crv]
        ec_key = ec.EllipticCurvePublicNumbers(_b64_int(jwk["x"]), _b64_int(jwk["y"]), curve)
        return ec_key.public_key(), frozenset({alg})
    if kty == "OKP" and crv == "Ed25519":
        return Ed25519PublicKey.from_public_bytes(_b64(jwk["x"])), frozenset({"EdDSA"})
    if kty == "OKP" and crv == "Ed448":
        return Ed448PublicKey.from_public_bytes(_b64(jwk["x"])), frozenset({"EdDSA"})
    raise UnusableKey(f"key {kid} has unsupported type {kty!r}/{crv!r}")


def b64url_decode(segment: str) -> bytes:
    """Strict unpadded base64url (RFC 7515 §2); binascii.Error on anything else."""
    if "=" in segment or "+" in segment or "/" in segment:
        raise binascii.Error("not unpadded base64url")
    # str.replace beats str.translate several times over here, and this is the hot path.
    standard = segment.replace("-", "+").replace("_", "/")
    return binascii.a2b_base64(standard + "=" * (-len(segment) % 4), strict_mode=True)


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise TypeError("JWK member is not a string")
    return b64url_decode(value)


def _b64_int(value: Any) -> int:
    return int.from_bytes(_b64(value), "big")
