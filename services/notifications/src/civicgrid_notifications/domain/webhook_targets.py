"""Where a webhook may be sent: an http(s) URL without credentials, to a host whose addresses are
all publicly routable. Loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with the
cloud metadata service, fe80::/10), unspecified, multicast, reserved and shared (CGNAT
100.64/10) addresses are refused, also when written inside IPv6 (IPv4-mapped, NAT64, 6to4);
only a district configured for an internal integration may target them.

The check runs on the addresses a host resolves to, when subscribing and again when sending
(the sender connects to the very addresses it checked). Pure rules: resolving is the callers'."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from urllib.parse import urlsplit

from civicgrid_platform.errors import InvalidInput

IPAddress = IPv4Address | IPv6Address

MAX_URL_LENGTH = 2048
DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SHARED = ip_network("100.64.0.0/10")
_NAT64 = ip_network("64:ff9b::/96")


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA) name or an IP address, IPv6 without brackets
    port: int


def _refused(reason: str) -> InvalidInput:
    return InvalidInput(reason, field="url")


def _ascii_host(host: str) -> str:
    try:
        ip_address(host)
        return host
    except ValueError:
        pass
    try:
        name = host.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        raise _refused("the host is not a valid name") from None
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise _refused("the host is not a valid name")
    return name


def parse_target(url: str) -> Target:
    """The URL's parts, or InvalidInput naming `url`."""
    if len(url) > MAX_URL_LENGTH:
        raise _refused(f"at most {MAX_URL_LENGTH} characters")
    # Whitespace, control characters and backslashes are read differently by different URL
    # parsers; none belongs in a webhook URL.
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in url):
        raise _refused("the URL holds whitespace, control characters or backslashes")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise _refused("only http and https URLs")
    if "@" in parts.netloc:
        raise _refused("no user name or password in the URL; the signature authenticates")
    if parts.fragment or url.endswith("#"):
        raise _refused("no fragment (#...) in the URL: it is never sent")
    try:
        port = parts.port
    except ValueError:
        raise _refused("the port is not a number from 1 to 65535") from None
    host = parts.hostname
    if not host or "%" in host:
        raise _refused("the URL names no host")
    if port == 0:
        raise _refused("the port is not a number from 1 to 65535")
    return Target(url, scheme, _ascii_host(host), port or DEFAULT_PORTS[scheme])


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: IPAddress) -> str | None:
    """Why a webhook may not go to `address` (unless internal), or None when it may."""
    if isinstance(address, IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return refusal(embedded)
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (isinstance(address, IPv4Address) and address in _SHARED, "shared (CGNAT)"),
        (address.is_private, "private"),
        (isinstance(address, IPv6Address) and address.is_site_local, "site-local"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "non-global"),
    )
    return next((reason for refused, reason in checks if refused), None)


def first_refusal(addresses: Sequence[IPAddress]) -> tuple[IPAddress, str] | None:
    """The first address a webhook may not reach and why. One bad address refuses the host:
    a connection may pick any of them."""
    for address in addresses:
        reason = refusal(address)
        if reason is not None:
            return address, reason
    return None


def check_addresses(addresses: Sequence[IPAddress], internal_allowed: bool) -> None:
    """InvalidInput naming `url` unless the host resolved and may be reached."""
    if not addresses:
        raise _refused("the URL's host does not resolve")
    if internal_allowed:
        return
    refused = first_refusal(addresses)
    if refused is not None:
        address, reason = refused
        raise _refused(
            f"the URL's host resolves to a {reason} address ({address}); only a district "
            "configured for an internal integration may send webhooks there"
        )
