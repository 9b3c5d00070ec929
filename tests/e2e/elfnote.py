#!/usr/bin/env python3
"""Reads an ELF core without memsnap, for the end-to-end tests.

  elfnote.py CORE NAME TYPE   the descriptors of the notes NAME/TYPE, as bytes
  elfnote.py CORE --loads     one line per PT_LOAD: VADDR MEMSZ FILESZ OFFSET FLAGS (hex)
  elfnote.py CORE --list      one line per note: NAME TYPE SIZE

Handles extended program header numbering (PN_XNUM, section header 0).
"""
import struct
import sys

PT_LOAD, PT_NOTE, PN_XNUM = 1, 4, 0xFFFF


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
        for name, ntype, desc in notes(data):
            if name == sys.argv[2] and ntype == int(sys.argv[3]):
                sys.stdout.buffer.write(desc)


main()
