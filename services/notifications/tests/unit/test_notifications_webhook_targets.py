"""Where webhooks may go: http(s) URLs without credentials, to hosts whose every address is
publicly routable; internal addresses only for a district configured for them."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from civicgrid_notifications.domain.webhook_targets import (
    check_addresses,
    parse_target,
    refusal,
)
from civicgrid_platform.errors import InvalidInput


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address under test, never bound
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("240.0.0.1", "private"),  # reserved: Python counts it private
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("2001:db8::1", "private"),  # documentation
    ],
)
def test_notifications_webhook_internal_addresses_are_refused(address: str, reason: str) -> None:
    assert refusal(ip_address(address)) == reason


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_notifications_webhook_public_addresses_are_allowed(address: str) -> None:
    assert refusal(ip_address(address)) is None


def test_notifications_webhook_one_internal_address_refuses_the_host_unless_internal() -> None:
    mixed = [ip_address("93.184.216.34"), ip_address("10.0.0.5")]

    with pytest.raises(InvalidInput, match=r"private address \(10\.0\.0\.5\)") as refused:
        check_addresses(mixed, internal_allowed=False)
    assert refused.value.field == "url"
    check_addresses(mixed, internal_allowed=True)
    with pytest.raises(InvalidInput, match="does not resolve"):
        check_addresses([], internal_allowed=True)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.com/hook", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("example.com/hook", "only http and https"),
        ("https://user:pw@example.com/hook", "no user name or password"),
        ("https://token@example.com/hook", "no user name or password"),
        ("https://example.com/hook#part", "no fragment"),
        ("https://example.com:99999/hook", "port"),
        ("https://example.com:0/hook", "port"),
        ("https:///hook", "names no host"),
        ("https://exa mple.com/", "whitespace"),
        ("https://example.com\\@10.0.0.1/", "backslashes"),
        ("https://-bad-.example/", "not a valid name"),
        ("https://[fe80::1%25eth0]/", "names no host"),
        ("https://example.com/" + "a" * 2048, "at most 2048"),
    ],
)
def test_notifications_webhook_malformed_urls_are_refused_naming_the_url(
    url: str, problem: str
) -> None:
    with pytest.raises(InvalidInput, match=problem) as refused:
        parse_target(url)
    assert refused.value.field == "url"


def test_notifications_webhook_a_target_knows_its_host_and_port() -> None:
    assert parse_target("https://Hooks.Example.com/in?x=1").host == "hooks.example.com"
    assert parse_target("https://hooks.example.com/in").port == 443
    assert parse_target("http://[::1]:8080/in").host == "::1"
    assert parse_target("http://bücher.example/in").host == "xn--bcher-kva.example"
