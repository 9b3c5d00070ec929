#!/usr/bin/env python3
"""Reads an ELF core without memsnap, for the end-to-end tests.

  elfnote.py CORE NAME TYPE   the descriptors of the notes NAME/TYPE, as bytes;
                              TYPE is a number (0x for hex) or, for MEMSNAP
                              notes, a name: smaps, status, ..., stacks
  elfnote.py CORE --loads     one line per PT_LOAD: VADDR MEMSZ FILESZ OFFSET FLAGS (hex)
  elfnote.py CORE --list      one line per note: NAME TYPE SIZE

Handles extended program header numbering (PN_XNUM, section header 0).
"""
import struct
import sys

PT_LOAD, PT_NOTE, PN_XNUM = 1, 4, 0xFFFF

# docs/core-format.md: the MEMSNAP note types, 0x4d534e00 ("MSN") + n.
MEMSNAP_TYPES = {name: 0x4d534e00 + n for n, name in enumerate(
    ["smaps", "status", "stat", "cmdline", "settings", "skipped", "threads", "stacks"], start=1)}


def phdrs(data):
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit("not a 64-bit ELF file")
    phoff, shoff = struct.unpack_from("<QQ", data, 32)
    phnum = struct.unpack_from("<H", data, 56)[0]
    if phnum == PN_XNUM:
        phnum = struct.unpack_from("<I", data, shoff + 44)[0]  # sh_info of section 0
    for i in range(phnum):
        yield struct.unpack_from("<IIQQQQQQ", data, phoff + 56 * i)


def notes(data):
    for p_type, _, off, _, _, filesz, _, _ in phdrs(data):
        if p_type != PT_NOTE:
            continue
        pos, end = off, off + filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name = data[pos + 12:pos + 12 + namesz].rstrip(b"\0").decode()
            desc = pos + 12 + ((namesz + 3) & ~3)
            yield name, ntype, data[desc:desc + descsz]
            pos = desc + ((descsz + 3) & ~3)


def main():
    data = open(sys.argv[1], "rb").read()
    if sys.argv[2] == "--loads":
        for p_type, flags, off, vaddr, _, filesz, memsz, _ in phdrs(data):
            if p_type == PT_LOAD:
                print("%x %x %x %x %x" % (vaddr, memsz, filesz, off, flags))
    elif sys.argv[2] == "--list":
        for name, ntype, desc in notes(data):
            print(name, ntype, len(desc))
    else:
        want = MEMSNAP_TYPES.get(sys.argv[3]) if sys.argv[2] == "MEMSNAP" else None
        if want is None:
            want = int(sys.argv[3], 0)
        for name, ntype, desc in notes(data):
            if name == sys.argv[2] and ntype == want:
                sys.stdout.buffer.write(desc)


if __name__ == "__main__":
    main()
