#!/usr/bin/python3
# A memcached client for tests/e2e/real_memcached.sh: stores N keys of
# varied sizes (10 bytes to 600 KB, above memcached's slab chunk size, so
# some items are chunked) over the text protocol on 127.0.0.1:PORT, deletes
# every fifth, reads a sample back, and prints "loaded STORED DELETED HITS".
# It waits (boundedly) for the port to open: memcached says nothing when it
# listens.
import socket
import sys
import time

port, count = int(sys.argv[1]), int(sys.argv[2])
deadline = time.monotonic() + 60
while True:
    try:
        conn = socket.create_connection(("127.0.0.1", port), timeout=60)
        break
    except ConnectionRefusedError:
        if time.monotonic() > deadline:
            sys.exit("memcached never listened on port %d" % port)
        time.sleep(0.05)
stream = conn.makefile("rb")


def reply():
    return stream.readline().rstrip(b"\r\n")


def size_of(i):
    if i % 997 == 0:
        return 100000 + (i * 7919) % 500000
    return 10 + (i * 37) % 4000


stored = deleted = hits = 0
for i in range(count):
    value = bytes([97 + i % 26]) * size_of(i)
    conn.sendall(b"set key:%d %d 0 %d\r\n%s\r\n" % (i, i % 65536, len(value), value))
    stored += reply() == b"STORED"
for i in range(0, count, 5):
    conn.sendall(b"delete key:%d\r\n" % i)
    deleted += reply() == b"DELETED"
for i in range(1, count, 101):
    conn.sendall(b"get key:%d\r\n" % i)
    head = reply()
    if head.startswith(b"VALUE "):
        data = stream.read(int(head.split()[3]) + 2)
        hits += data[:-2] == bytes([97 + i % 26]) * size_of(i)
        reply()                                  # END
conn.sendall(b"quit\r\n")
print("loaded %d %d %d" % (stored, deleted, hits), flush=True)
