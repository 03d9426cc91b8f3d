"""The transport under the webhook sender's httpx client: HTTP/1.1 (h11) over asyncio streams,
connecting only to addresses it has checked, keeping connections to one endpoint alive.

Why not httpx's own transport: its connection is opened by httpcore, which resolves the host
itself (the address checked could differ from the one connected to: DNS rebinding) and costs
about 2 ms of CPU per request here (its pool scans every connection for every request, and its
locks import `sniffio` each time, a failed import unless that package is installed), against
0.1 ms for these few lines. One transport serves one endpoint (the sender keeps one per
endpoint), so its pool is a short list of idle connections.

The SSRF guard: the URL's host is resolved, every address checked (domain.webhook_targets)
unless the district is configured for an internal integration, and the socket opened to one
of those very addresses. The request keeps the host name, so HTTP's Host header and, for
https, SNI and certificate verification use the name: the certificate is verified against
the name while the socket goes to the checked address."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator

import h11
import httpx

from civicgrid_notifications.domain.webhook_targets import first_refusal
from civicgrid_notifications.usecases.webhook_ports import HostResolver

READ_BYTES = 64 * 1024
KEEPALIVE_SECONDS = 5.0
DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefused(Exception):
    """The host resolves to an address this district may not reach."""


class _Stale(Exception):
    """A kept-alive connection was closed by the server before it answered."""


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.protocol = h11.Connection(h11.CLIENT)
        self.idle_since = time.monotonic()

    def reusable(self) -> bool:
        fresh = time.monotonic() - self.idle_since < KEEPALIVE_SECONDS
        return fresh and not self.writer.is_closing() and not self.reader.at_eof()

    def close(self) -> None:
        self.writer.close()

    async def read(self, seconds: float | None) -> bytes:
        try:
            async with asyncio.timeout(seconds):
                return await self.reader.read(READ_BYTES)
        except TimeoutError:
            raise httpx.ReadTimeout("no answer in time") from None
        except OSError as error:
            raise httpx.ReadError(str(error) or type(error).__name__) from None

    def next_event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        try:
            return self.protocol.next_event()
        except h11.RemoteProtocolError as error:
            raise httpx.RemoteProtocolError(str(error)) from None


class _Body(httpx.AsyncByteStream):
    """The answer's body as it arrives; the connection goes back to the pool once it is read
    to the end, and is closed if it is not."""

    def __init__(
        self, transport: PinnedTransport, connection: _Connection, timeout: float | None
    ) -> None:
        self._transport = transport
        self._connection = connection
        self._timeout = timeout
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        while not self._done:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                connection.protocol.receive_data(await connection.read(self._timeout))
            elif isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._done = True
            else:
                raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__}")

    async def aclose(self) -> None:
        self._transport.release(self._connection, reusable=self._done)


class PinnedTransport(httpx.AsyncBaseTransport):
    def __init__(
        self, resolver: HostResolver, allow_internal: bool, ssl_context: ssl.SSLContext
    ) -> None:
        self._resolver = resolver
        self._allow_internal = allow_internal
        self._ssl_context = ssl_context
        self._idle: list[_Connection] = []

    async def _addresses(self, host: str, port: int) -> list[str]:
        addresses = await self._resolver.addresses(host, port)
        if not addresses:
            raise httpx.ConnectError(f"{host} does not resolve")
        refused = None if self._allow_internal else first_refusal(addresses)
        if refused is not None:
            address, reason = refused
            raise TargetRefused(f"{host} resolves to a {reason} address ({address})")
        return [str(a) for a in addresses]

    async def _connect(self, url: httpx.URL, seconds: float | None) -> _Connection:
        secure = url.scheme == "https"
        host = url.raw_host.decode("ascii")  # IDNA-encoded; an IPv6 address without brackets
        port = url.port or DEFAULT_PORTS[url.scheme]
        failure: httpx.TransportError = httpx.ConnectError("no address")
        try:
            async with asyncio.timeout(seconds):
                for address in await self._addresses(host, port):
                    try:
                        reader, writer = await asyncio.open_connection(
                            address,
                            port,
                            ssl=self._ssl_context if secure else None,
                            server_hostname=host if secure else None,
                        )
                        return _Connection(reader, writer)
                    except OSError as error:  # refused, unreachable, TLS verification
                        failure = httpx.ConnectError(f"{address}: {error}")
        except TimeoutError:
            raise httpx.ConnectTimeout(f"no connection to {host} in time") from None
        raise failure

    def _idle_connection(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable():
                return connection
            connection.close()
        return None

    def release(self, connection: _Connection, *, reusable: bool) -> None:
        protocol = connection.protocol
        if reusable and protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        body = await request.aread()
        kept = self._idle_connection()
        connection = kept or await self._connect(request.url, timeouts.get("connect"))
        try:
            return await self._exchange(connection, request, body, timeouts)
        except _Stale:
            if kept is None:
                raise httpx.RemoteProtocolError("the server closed without answering") from None
        # The server dropped the kept-alive connection unanswered: once more on a new one.
        connection = await self._connect(request.url, timeouts.get("connect"))
        try:
            return await self._exchange(connection, request, body, timeouts)
        except _Stale:
            raise httpx.RemoteProtocolError("the server closed without answering") from None

    async def _exchange(
        self,
        connection: _Connection,
        request: httpx.Request,
        body: bytes,
        timeouts: dict[str, float | None],
    ) -> httpx.Response:
        try:
            protocol = connection.protocol
            head = h11.Request(
                method=request.method, target=request.url.raw_path, headers=request.headers.raw
            )
            data = b"".join(
                protocol.send(event) or b""
                for event in (head, h11.Data(data=body), h11.EndOfMessage())
            )
            async with asyncio.timeout(timeouts.get("write")):
                connection.writer.write(data)
                await connection.writer.drain()
            return await self._answer(connection, timeouts.get("read"))
        except h11.LocalProtocolError as error:
            connection.close()
            raise httpx.LocalProtocolError(str(error)) from None
        except TimeoutError:
            connection.close()
            raise httpx.WriteTimeout("the request was not taken in time") from None
        except (OSError, _Stale):
            connection.close()
            raise _Stale from None
        except BaseException:
            connection.close()
            raise

    async def _answer(self, connection: _Connection, seconds: float | None) -> httpx.Response:
        heard = False
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                try:
                    chunk = await connection.read(seconds)
                except httpx.ReadError:
                    if heard:
                        raise
                    raise _Stale from None
                if not chunk and not heard:
                    raise _Stale
                heard = True
                connection.protocol.receive_data(chunk)
            elif isinstance(event, h11.Response):
                return httpx.Response(
                    status_code=event.status_code,
                    headers=event.headers,
                    stream=_Body(self, connection, seconds),
                    extensions={"http_version": b"HTTP/1.1", "reason_phrase": event.reason},
                )
            elif not isinstance(event, h11.InformationalResponse):  # 100 Continue is skipped
                raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__}")

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()
