#!/usr/bin/python3
# A real program's heap for the heap walker's tests: the system python3
# builds large dicts, lists and strings in several threads, drops most of
# them, and then reports glibc's own mallinfo2() through ctypes.
#
# Objects above 512 bytes (dict tables, list arrays, long strings) come from
# glibc malloc; small ones from Python's own mmapped arenas.  After the
# report the program must not touch malloc until it is captured, so the
# report is written with os.write (small bytes objects: pymalloc), the
# garbage collector is off, the threads wait on a lock, and commands are
# read with os.readv into a buffer made beforehand.
#
# Prints "pid P", "thread TID" per worker, one "mallinfo2 arena=... " line
# in the samples' format, then "ready"; then serves ping, mallinfo and quit
# on stdin like the samples (samples/sample_io.h).
import ctypes
import gc
import os
import sys
import threading


class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                 "fsmblks", "uordblks", "fordblks", "keepcost")]


libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Mallinfo2
libc.mallinfo2.argtypes = []


def say(line):
    os.write(1, (line + "\n").encode())


def mallinfo_line():
    m = libc.mallinfo2()
    return ("mallinfo2 arena=%d ordblks=%d smblks=%d hblks=%d hblkhd=%d usmblks=%d "
            "fsmblks=%d uordblks=%d fordblks=%d keepcost=%d" %
            (m.arena, m.ordblks, m.smblks, m.hblks, m.hblkhd, m.usmblks,
             m.fsmblks, m.uordblks, m.fordblks, m.keepcost))


def churn(index, kept, ready, done):
    seed = 12345 + index * 7919
    table = {}
    for i in range(60000):
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        table[(index, i)] = "x" * (seed % 2000)          # > 512 bytes: malloc
    rows = [[j] * (j % 300) for j in range(20000)]        # list arrays of 0..2.4 KiB
    blobs = [bytes(600 + (k * 37) % 200000) for k in range(400)]  # up to 200 KiB: some mmapped
    # Drop most of it: arenas keep the holes, bins fill up.
    for k in list(table)[::3]:
        del table[k]
    del rows[::2]
    kept.append((table, rows[:5000], blobs[::4]))
    del table, rows, blobs
    ready.release()
    done.acquire()          # blocks without allocating until quit


def main():
    gc.disable()
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    kept, threads = [], []
    ready = threading.Semaphore(0)
    done = threading.Semaphore(0)
    for i in range(workers):
        t = threading.Thread(target=churn, args=(i, kept, ready, done))
        t.start()
        threads.append(t)
    main_kept = []
    churn_main = {i: "y" * (i % 3000) for i in range(30000)}
    main_kept.append({k: v for k, v in churn_main.items() if k % 2})
    del churn_main
    for _ in threads:
        ready.acquire()

    buf = bytearray(256)
    lines = [mallinfo_line() for _ in range(2)]   # the first call warms up ctypes
    say("pid %d" % os.getpid())
    for t in threads:
        say("thread %d" % t.native_id)
    say(mallinfo_line())
    say("ready")

    pongs = 0
    pending = b""
    while True:
        n = os.readv(0, [buf])
        if n <= 0:
            break
        pending += bytes(buf[:n])
        while b"\n" in pending:
            cmd, pending = pending.split(b"\n", 1)
            if cmd == b"ping":
                pongs += 1
                say("pong %d" % pongs)
            elif cmd == b"mallinfo":
                say(mallinfo_line())
            elif cmd == b"quit":
                pending = None
                break
            else:
                say("error unknown command '%s'" % cmd.decode(errors="replace"))
        if pending is None:
            break
    for _ in threads:
        done.release()
    for t in threads:
        t.join()
    del lines, main_kept, kept


main()
