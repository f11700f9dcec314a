"""Sending to Redis: a tiny built-in RESP client, and redis-py for what it cannot handle."""

from __future__ import annotations

import re
import socket

from .variables import env_value

CONNECT_TIMEOUT = 2.0
SOCKET_TIMEOUT = 5.0


def redact_url(url: str) -> str:
    """Hide a password in a redis URL before printing it."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url or "")


class MiniRedis:
    """The few Redis commands the plugin needs (PING, XADD), over one socket.

    ``import redis`` costs 60-150 ms of CPU (it pulls in asyncio), which a test session would
    pay in GIL time; this client costs nothing to import. It speaks RESP2 to ``redis://``,
    ``rediss://`` and ``unix://`` URLs (user, password and db taken from the URL), with a 2 s
    connect timeout, a 5 s socket timeout and at most one reconnect per command.
    """

    def __init__(self, url, connect_timeout=CONNECT_TIMEOUT, socket_timeout=SOCKET_TIMEOUT):
        from urllib.parse import unquote, urlsplit

        u = urlsplit(url)
        if u.scheme not in ("redis", "rediss", "unix") or u.query:
            raise ValueError("unsupported by MiniRedis: " + redact_url(url))
        self.scheme = u.scheme
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or 6379
        self.path = unquote(u.path) if u.scheme == "unix" else None
        self.username = unquote(u.username) if u.username else None
        self.password = unquote(u.password) if u.password else None
        db = u.path.lstrip("/") if u.scheme != "unix" else ""
        self.db = int(db) if db else 0
        self.connect_timeout = connect_timeout
        self.socket_timeout = socket_timeout
        self._sock = None
        self._buf = b""

    # -- connection
    def _connect(self):
        if self.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.connect_timeout)
            sock.connect(self.path)
        else:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.scheme == "rediss":
                import ssl

                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        sock.settimeout(self.socket_timeout)
        self._sock, self._buf = sock, b""
        try:
            if self.password is not None:
                if self.username:
                    self._call("AUTH", self.username, self.password)
                else:
                    self._call("AUTH", self.password)
            if self.db:
                self._call("SELECT", str(self.db))
        except BaseException:
            self.close()
            raise

    def close(self):
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    # -- protocol
    @staticmethod
    def _encode(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if not isinstance(a, bytes):
                a = str(a).encode("utf-8", "surrogatepass")
            out.append(b"$%d\r\n" % len(a))
            out.append(a)
            out.append(b"\r\n")
        return b"".join(out)

    def _readline(self):
        while True:
            i = self._buf.find(b"\r\n")
            if i >= 0:
                line, self._buf = self._buf[:i], self._buf[i + 2:]
                return line
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by server")
            self._buf += chunk

    def _readexact(self, n):
        while len(self._buf) < n:
            chunk = self._sock.recv(max(65536, n - len(self._buf)))
            if not chunk:
                raise ConnectionError("connection closed by server")
            self._buf += chunk
        data, self._buf = self._buf[:n], self._buf[n:]
        return data

    def _reply(self):
        line = self._readline()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode("utf-8", "replace")
        if kind == b"-":
            raise RedisReplyError(rest.decode("utf-8", "replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            return self._readexact(n + 2)[:-2].decode("utf-8", "replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ConnectionError("bad reply from server: %r" % line[:80])

    def _call(self, *args):
        self._sock.sendall(self._encode(args))
        return self._reply()

    def execute(self, *args):
        fresh = self._sock is None
        if fresh:
            self._connect()
        try:
            return self._call(*args)
        except RedisReplyError:
            raise
        except (OSError, ConnectionError):
            self.close()
            if fresh:
                raise
        # the kept connection went stale (server restart, idle timeout): one reconnect
        self._connect()
        try:
            return self._call(*args)
        except (OSError, ConnectionError):
            self.close()
            raise

    def ping(self):
        return self.execute("PING")

    def xadd(self, stream, fields):
        args = ["XADD", stream, "*"]
        for k, v in fields.items():
            args.append(k)
            args.append(v)
        return self.execute(*args)


class RedisReplyError(Exception):
    """An error reply from Redis (e.g. WRONGTYPE)."""


class RedisPyMissing(Exception):
    """The URL needs redis-py, which is not installed."""


def make_client(url, environ=None, connect_timeout=CONNECT_TIMEOUT, socket_timeout=SOCKET_TIMEOUT):
    """MiniRedis for ``redis://``, ``rediss://`` and ``unix://`` URLs; redis-py for anything else.

    ``PYTEST_PLATFORM_REDIS_CLIENT=redis-py`` forces redis-py. redis-py is an optional
    dependency (``pip install 'pytest-platform[redis]'``); without it such a URL raises
    RedisPyMissing, whose message says so in one line.
    """
    forced = (env_value("PYTEST_PLATFORM_REDIS_CLIENT", environ) or "").lower() in ("redis-py", "redispy", "redis")
    if not forced:
        try:
            return MiniRedis(url, connect_timeout, socket_timeout)
        except ValueError:
            pass
    return _redis_py_client(url, forced, connect_timeout, socket_timeout)


def _redis_py_client(url, forced=False, connect_timeout=CONNECT_TIMEOUT, socket_timeout=SOCKET_TIMEOUT):
    try:
        import redis  # lazy: costs ~100 ms of import, only for URLs MiniRedis does not handle
    except ImportError:
        why = "PYTEST_PLATFORM_REDIS_CLIENT=redis-py" if forced else "%s needs it" % redact_url(url)
        raise RedisPyMissing(
            "redis-py is not installed (%s): pip install 'pytest-platform[redis]'" % why) from None

    kwargs = dict(
        socket_connect_timeout=connect_timeout,
        socket_timeout=socket_timeout,
        health_check_interval=0,
    )
    try:
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        kwargs["retry"] = Retry(NoBackoff(), 0)
    except Exception:  # very old redis-py
        pass
    try:
        return redis.Redis.from_url(url, **kwargs)
    except TypeError:
        kwargs.pop("retry", None)
        return redis.Redis.from_url(url, **kwargs)
