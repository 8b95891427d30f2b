"""A minimal Faktory client for scripts/bench: HELLO and INFO, to watch the
server's processed count while a worker drains a queue. Plain TCP only (the
workers measured speak TLS themselves if the URL asks; this poller does not)."""
import hashlib
import json
import os
import socket
import urllib.parse


def masked(url):
    """A Faktory URL fit for printing: its password replaced."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _password_hash(password, salt, iterations):
    digest = hashlib.sha256((password + salt).encode()).digest()
    for _ in range(iterations - 1):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


class FaktoryConnection:
    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "tcp":
            raise SystemExit(f"bench: {parts.scheme}:// is not supported for watching the server (tcp:// only)")
        self._socket = socket.create_connection((parts.hostname, parts.port or 7419), timeout=10)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._reader = self._socket.makefile("rb")
        greeting = self._reply()
        hello = {"v": 2, "hostname": socket.gethostname(), "pid": os.getpid()}
        details = json.loads(greeting[3:]) if greeting.startswith("HI ") else {}
        if "s" in details:
            password = urllib.parse.unquote(parts.password or "")
            hello["pwdhash"] = _password_hash(password, details["s"], int(details.get("i", 1)))
        self.command("HELLO " + json.dumps(hello))

    def _reply(self):
        line = self._reader.readline()
        if not line:
            raise ConnectionError("the Faktory server closed the connection")
        kind, rest = line[:1], line[1:].rstrip(b"\r\n").decode()
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RuntimeError(f"Faktory server: {rest}")
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            body = self._reader.read(size + 2)
            return body[:size].decode()
        raise RuntimeError(f"unexpected reply from the Faktory server: {line!r}")

    def command(self, line):
        self._socket.sendall(line.encode() + b"\r\n")
        return self._reply()

    def processed(self):
        """The server's count of jobs processed (ACKed or FAILed) since it started."""
        return self.counts()[0]

    def counts(self):
        """(processed, failed) since the server started."""
        info = json.loads(self.command("INFO"))["faktory"]
        return int(info["total_processed"]), int(info["total_failures"])

    def close(self):
        try:
            self._socket.sendall(b"END\r\n")
        except OSError:
            pass
        self._socket.close()
