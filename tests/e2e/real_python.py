#!/usr/bin/python3
# The system python3 as a user runs it, for tests/e2e/real_python.sh and
# real_tunables.sh: threads that build dicts, lists and strings, big buffers
# from calloc (bytes(n)) and realloc (a growing bytearray), and mmapped
# chunks freed so that glibc raises its mmap threshold (malloc.c: free of an
# mmapped chunk above mp_.mmap_threshold sets the threshold to its size,
# unless a tunable or mallopt fixed it), after which blocks of that size come
# from the arenas; posix_memalign'd blocks, mmapped and not.  With --trim
# it also calls mallopt and malloc_trim through ctypes.
#
# It says nothing about its own heap: the judge is glibc's mallinfo2(),
# called by gdb in the stopped process.  It prints "ready" when the heap is
# built and the threads wait, then reads stdin until end of input and exits.
import ctypes
import os
import sys
import threading

libc = ctypes.CDLL("libc.so.6")
M_MXFAST = 1            # glibc malloc.h
M_TRIM_THRESHOLD = -1   # glibc malloc.h


def churn(index, kept, ready, done):
    seed = 4321 + index * 7919
    table = {}
    for i in range(15000):
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        table["k%d.%d" % (index, i)] = "s" * (seed % 1500)
    rows = [[j] * (j % 200) for j in range(8000)]
    zeros = [bytes(100000 + 50000 * (k % 8)) for k in range(40)]  # calloc, mmapped
    grow = bytearray()
    for k in range(3000):                                         # realloc, to 300 KB
        grow += b"g" * 100
    for k in list(table)[::3]:
        del table[k]
    del rows[::2]
    kept.append((table, rows, zeros[::3], grow))
    del table, rows, zeros
    ready.release()
    done.acquire()


def main():
    trim = "--trim" in sys.argv[1:]
    if trim:
        libc.mallopt(M_MXFAST, 0)                # no fastbins from here on
    kept = []
    # Aligned blocks, as numeric code asks for them: above the mmap threshold
    # glibc maps more and moves the chunk up to the alignment, prev_size
    # holding the lead it skipped (malloc.c _int_memalign); below, the arena
    # splits a chunk around the aligned one.
    for align, size in ((1 << 16, 4000000), (1 << 21, 3000000), (4096, 10000), (256, 3000)):
        block = ctypes.c_void_p()
        if libc.posix_memalign(ctypes.byref(block), align, size) != 0:
            sys.exit("posix_memalign(%d, %d) failed" % (align, size))
        kept.append(block.value)
    # Above the default mmap threshold (128 KiB): mmapped; freeing them moves
    # the threshold up to their size, so the next ones come from main_arena.
    first = [bytearray(600000 + 4096 * k) for k in range(6)]
    del first
    second = [bytearray(600000 + 4096 * k) for k in range(6)]
    kept.append(second)
    ready = threading.Semaphore(0)
    done = threading.Semaphore(0)
    threads = [threading.Thread(target=churn, args=(i, kept, ready, done)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        ready.acquire()
    # Above glibc's highest dynamic threshold (DEFAULT_MMAP_THRESHOLD_MAX,
    # 32 MiB on 64-bit): always mmapped.  calloc leaves a fresh mapping's
    # pages untouched; a growing bytearray reallocs, and glibc mremaps.
    kept.append([bytes(33600000 + 1000000 * k) for k in range(2)])
    grow = bytearray(b"r" * 1000000)
    for k in range(40):
        grow += b"r" * 1000000
    kept.append(grow)
    strings = {i: "m" * (i % 2500) for i in range(15000)}
    kept.append({k: v for k, v in strings.items() if k % 3})
    del strings
    if trim:
        libc.mallopt(M_TRIM_THRESHOLD, 1 << 20)
        libc.malloc_trim(0)
    os.write(1, b"ready\n")
    while os.read(0, 256):
        pass
    for _ in threads:
        done.release()
    for t in threads:
        t.join()


main()
