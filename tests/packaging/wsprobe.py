#!/usr/bin/env python3
"""wsprobe.py: talk to an installed coderoomd over its WebSocket like the IDE does.

Standard library only (it runs wherever python3 is, including a bare Debian root): a minimal
RFC 6455 client, then hello -> run a Python program -> open a Python session and evaluate a line.
Proves that the installed server finds its languages.json and REPL drivers and that its sandbox
works. Prints one line per check; exits 0 only when every check passed.

    wsprobe.py ws://127.0.0.1:PORT/api/v1/ws TOKEN_FILE
"""
import base64
import json
import os
import socket
import struct
import sys
import time
import urllib.parse

DEADLINE_S = 60  # for the whole probe: a loaded 2-core machine starts interpreters slowly


class WebSocket:
    def __init__(self, url):
        parts = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=DEADLINE_S)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {parts.path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
                   f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("connection closed during the handshake")
            head += chunk
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            raise RuntimeError(f"handshake refused: {status.decode(errors='replace')}")

    def _exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise RuntimeError("connection closed")
            data += chunk
        return data

    def send(self, message):
        payload = json.dumps(message).encode()
        header = bytes([0x81])  # FIN + text
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def receive(self):
        """The next text message as a dict (pings answered, fragments joined)."""
        message = b""
        while True:
            b0, b1 = self._exact(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._exact(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._exact(8))[0]
            payload = self._exact(length)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise RuntimeError("server closed the connection")
            if opcode == 0x9:  # ping -> pong, masked like every client frame
                mask = os.urandom(4)
                self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + mask +
                                  bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
                continue
            if opcode in (0x1, 0x0):
                message += payload
                if b0 & 0x80:
                    return json.loads(message)

    def until(self, predicate):
        """Messages until one matches; returns (that message, everything seen)."""
        seen = []
        end = time.monotonic() + DEADLINE_S
        while time.monotonic() < end:
            m = self.receive()
            seen.append(m)
            if predicate(m):
                return m, seen
        raise RuntimeError("no matching message in time")


def main():
    url, token_file = sys.argv[1], sys.argv[2]
    with open(token_file) as f:
        token = f.read().strip()
    ws = WebSocket(url)
    failures = 0

    def check(name, ok, detail=""):
        nonlocal failures
        print(f"wsprobe: {'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")
        failures += 0 if ok else 1

    ws.send({"type": "hello", "protocol": 1, "token": token, "user": "packager",
             "client": "wsprobe/1"})
    welcome, _ = ws.until(lambda m: m.get("type") in ("welcome", "error"))
    check("hello is welcomed", welcome.get("type") == "welcome", json.dumps(welcome)[:200])
    languages = {l["id"]: l for l in welcome.get("languages", [])}
    check("python is offered with a REPL", languages.get("python", {}).get("repl") is True,
          ", ".join(sorted(languages)))

    ws.send({"type": "run", "id": "r1", "language": "python",
             "files": [{"name": "main.py", "content": "print(sum(range(10)) * 2)\n"}]})
    result, seen = ws.until(lambda m: m.get("type") == "result" and m.get("id") == "r1")
    output = "".join(m.get("data", "") for m in seen if m.get("type") == "output")
    check("a Python program runs in the sandbox",
          result.get("status") == "ok" and output.strip() == "90",
          f"status={result.get('status')} output={output!r} {result.get('message', '')}")

    ws.send({"type": "session.open", "id": "s1", "language": "python"})
    opened, _ = ws.until(lambda m: m.get("type") in ("session.opened", "error"))
    check("a Python REPL session opens (installed driver)", opened.get("type") == "session.opened",
          json.dumps(opened)[:200])
    if opened.get("type") == "session.opened":
        session = opened["session"]
        ws.send({"type": "eval", "id": "e1", "session": session, "code": "x = 41"})
        ws.until(lambda m: m.get("type") == "result" and m.get("id") == "e1")
        ws.send({"type": "eval", "id": "e2", "session": session, "code": "x + 1"})
        value, _ = ws.until(lambda m: m.get("type") == "result" and m.get("id") == "e2")
        check("the session keeps state between lines", value.get("value") == "42",
              f"status={value.get('status')} value={value.get('value')!r}")
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, RuntimeError, ValueError) as e:
        print(f"wsprobe: FAIL {e}")
        sys.exit(1)
