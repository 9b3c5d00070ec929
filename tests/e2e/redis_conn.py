#!/usr/bin/env python3
"""One connection to a Redis server, steered line by line from stdin, so
that a test can leave a request waiting in the server's socket while the
server is stopped and read the answer once it runs on.  redis-cli cannot:
it says nothing when it has sent a command.

usage: redis_conn.py SOCKET
stdin, one order a line:
  send WORD...  sends the command, then prints `sent`: what a unix stream
                socket sends is queued on its peer before send() returns
                (kernel net/unix/af_unix.c, unix_stream_sendmsg), so the
                server reads it the next time it polls
  reply         reads one reply and prints it, a line per line of it, then
                a line `.`
An error reply or a closed connection ends the script with status 1.
"""
import socket
import sys


def command(words):
    """The command in Redis's protocol (RESP): an array of bulk strings."""
    out = [b"*%d\r\n" % len(words)]
    for word in words:
        data = word.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def read_reply(stream):
    """A simple string, an integer or a bulk string, as text."""
    line = stream.readline()
    if not line.endswith(b"\r\n"):
        sys.exit("redis_conn: the server closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind in (b"+", b":"):
        return rest.decode()
    if kind == b"$" and int(rest) >= 0:
        return stream.read(int(rest) + 2)[:-2].decode()
    sys.exit("redis_conn: reply '%s' is not a string" % line.decode(errors="replace").strip())


def main():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sys.argv[1])
    stream = sock.makefile("rb")
    for order in sys.stdin:
        words = order.split()
        if words[:1] == ["send"] and len(words) > 1:
            sock.sendall(command(words[1:]))
            print("sent", flush=True)
        elif words == ["reply"]:
            for line in read_reply(stream).splitlines():
                print(line)
            print(".", flush=True)
        else:
            sys.exit("redis_conn: order '%s' is neither 'send WORD...' nor 'reply'" % order.strip())


if __name__ == "__main__":
    main()
