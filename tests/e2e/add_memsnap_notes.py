#!/usr/bin/env python3
"""Adds MEMSNAP notes to a core, as `memsnap capture` writes them: the text
of /proc/PID/smaps, status and cmdline, saved by the test right before the
kernel dumped the process, plus settings and thread names.  A kernel core
with these notes is a memsnap core whose every byte came from the kernel,
so the tests can hold analyze's joins and sums against the kernel's own
figures before (and besides) memsnap's capture.

usage: add_memsnap_notes.py CORE FOLDER
FOLDER holds smaps, status, cmdline, settings, threads (any may be absent);
each becomes a note of common/memsnap_note.h's type.  CORE is rewritten in
place: its PT_NOTE moves to the end of the file with the notes added.
"""
import os
import struct
import sys

# common/memsnap_note.h: MEMSNAP_NT_BASE (0x4d534e00) + n
TYPES = {name: 0x4d534e00 + n for n, name in enumerate(
    ["smaps", "status", "stat", "cmdline", "settings", "skipped", "threads", "stacks"], start=1)}
PT_NOTE = 4


def main():
    core, folder = sys.argv[1], sys.argv[2]
    with open(core, "r+b") as f:
        head = f.read(64)
        phoff, = struct.unpack_from("<Q", head, 32)
        phnum, = struct.unpack_from("<H", head, 56)
        f.seek(phoff)
        phdrs = f.read(56 * phnum)
        for i in range(phnum):
            if struct.unpack_from("<I", phdrs, 56 * i)[0] == PT_NOTE:
                break
        else:
            sys.exit("add_memsnap_notes: %s has no PT_NOTE" % core)
        offset, = struct.unpack_from("<Q", phdrs, 56 * i + 8)
        size, = struct.unpack_from("<Q", phdrs, 56 * i + 32)
        f.seek(offset)
        blob = bytearray(f.read(size))
        for name, ntype in TYPES.items():
            path = os.path.join(folder, name)
            if not os.path.exists(path):
                continue
            desc = open(path, "rb").read()
            blob += struct.pack("<III", 8, len(desc), ntype) + b"MEMSNAP\0" + desc + b"\0" * (-len(desc) % 4)
        end = f.seek(0, os.SEEK_END)
        pad = -end % 8
        f.write(b"\0" * pad + blob)
        f.seek(phoff + 56 * i + 8)
        f.write(struct.pack("<Q", end + pad))
        f.seek(phoff + 56 * i + 32)
        f.write(struct.pack("<QQ", len(blob), 0))


if __name__ == "__main__":
    main()
