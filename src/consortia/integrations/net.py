"""Outbound HTTP for webhooks, refusing internal addresses after DNS resolution.

The host name is resolved once, every address it resolves to is checked, and the connection is
opened to the checked address itself (the Host header and TLS name stay the original host name,
so certificates are verified against it). Nothing resolves the name again between the check and
the connection, so DNS rebinding cannot swap in an internal address. Redirects are never
followed; the whole exchange is bounded by the timeout; only the first bytes of the answer are
kept.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils import timezone

EXCERPT_BYTES = 1024
# Cloud metadata services: refused even when an operator allows private ranges.
METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
}


class Refused(Exception):
    """The URL may not be called: the sentence says why (shown in the delivery log)."""


@dataclass
class Answer:
    status_code: int | None = None
    duration_ms: int = 0
    excerpt: str = ""
    retry_after: float | None = None
    error: str = ""
    refused: bool = False


def allowed_private_networks() -> list:
    return [
        ipaddress.ip_network(cidr, strict=False)
        for cidr in getattr(settings, "WEBHOOK_ALLOWED_PRIVATE_NETWORKS", [])
    ]


def address_problem(address: str) -> str | None:
    """Why `address` may not receive webhooks, or None when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA:
        return "a cloud metadata address"
    if ip.is_multicast or ip.is_unspecified or (ip.version == 4 and ip.is_reserved):
        return "not a unicast address"
    if ip.is_global:
        return None
    if any(ip in network for network in allowed_private_networks()):
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    return "a private address"


def check_url_shape(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL, else Refused with the reason."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("This is not a valid URL.") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("Use an http:// or https:// URL.")
    if not parts.hostname:
        raise Refused("The URL has no host name.")
    if parts.username or parts.password:
        raise Refused("Do not put a user name or password in the URL.")
    if parts.fragment:
        raise Refused("The URL may not have a #fragment.")
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, host, port


def check_literal_host(url: str) -> None:
    """At registration: refuse URLs whose host is an internal IP address or `localhost`
    (host names are checked again, after resolution, at every delivery)."""
    _, host, _ = check_url_shape(url)
    if host == "localhost" or host.endswith(".localhost"):
        problem = address_problem("127.0.0.1")
    else:
        try:
            problem = address_problem(host)
        except ValueError:
            # Other spellings of an IPv4 address (hex, one number, "127.1"), as the resolver
            # reads them; anything else is a host name: resolved and checked when sending.
            try:
                host = socket.inet_ntoa(socket.inet_aton(host))
            except OSError:
                return
            problem = address_problem(host)
    if problem:
        raise Refused(f"{host} is {problem}; webhooks are not sent there.")


def resolve(host: str, port: int) -> str:
    """The one address the connection will use, after checking every address of `host`."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"{host} could not be resolved ({exc}).") from None
    addresses = []
    for info in infos:
        address = info[4][0]
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Refused(f"{host} has no address.")
    for address in addresses:
        problem = address_problem(address)
        if problem:
            raise Refused(f"{host} resolves to {address}, {problem}; nothing was sent.")
    return addresses[0]


def parse_retry_after(value: str | None, now=None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, (when - (now or timezone.now())).total_seconds())


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float = 10.0) -> Answer:
    """POST `body` to `url`; never raises for network trouble (the Answer says what happened)."""
    started = time.monotonic()
    try:
        scheme, host, port = check_url_shape(url)
        address = resolve(host, port)
    except Refused as exc:
        return Answer(error=str(exc)[:300], refused=True)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default_port = 443 if scheme == "https" else 80
    host_header = host if ":" not in host else f"[{host}]"
    if port != default_port:
        host_header += f":{port}"
    pool_options = {
        "port": port,
        "timeout": urllib3.Timeout(total=timeout),
        "retries": False,
        "maxsize": 1,
    }
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            **pool_options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, **pool_options)
    answer = Answer()
    try:
        response = pool.urlopen(
            "POST",
            target,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            raw = response.read(EXCERPT_BYTES, decode_content=True) or b""
        finally:
            response.release_conn()
        answer.status_code = response.status
        answer.excerpt = raw.decode("utf-8", errors="replace")[:500]
        answer.retry_after = parse_retry_after(response.headers.get("Retry-After"))
    except urllib3.exceptions.HTTPError as exc:
        reason = getattr(exc, "reason", None) or exc
        answer.error = f"{type(exc).__name__}: {reason}"[:300]
    except OSError as exc:
        answer.error = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        pool.close()
    answer.duration_ms = int((time.monotonic() - started) * 1000)
    return answer
