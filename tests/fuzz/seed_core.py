#!/usr/bin/python3
# Writes a seed for tests/fuzz/fuzz_core.c: an ELF64 core with the same
# headers and notes as CORE, but none of its memory (each PT_LOAD keeps its
# addresses and sizes, with p_filesz 0), so the seed is a few kilobytes
# that libFuzzer mutates quickly, and every byte of it is header or note.
#
# usage: seed_core.py CORE OUT
import struct
import sys

PT_LOAD, PT_NOTE = 1, 4
EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")


def main(src, dst):
    with open(src, "rb") as f:
        core = f.read(EHDR.size)
        (ident, e_type, machine, version, entry, phoff, shoff, flags, ehsize, phentsize, phnum, shentsize,
         shnum, shstrndx) = EHDR.unpack(core)
        if ident[:4] != b"\x7fELF" or phentsize != PHDR.size:
            sys.exit("seed_core: '%s' is not an ELF64 core" % src)
        f.seek(phoff)
        phdrs = [list(PHDR.unpack(f.read(PHDR.size))) for _ in range(phnum)]
        notes = []
        for p in phdrs:
            if p[0] == PT_NOTE:
                f.seek(p[2])
                notes.append(f.read(p[5]))
    # Laid out as the kernel does: header, program headers, notes.
    at = EHDR.size + PHDR.size * len(phdrs)
    body = b""
    for p in phdrs:
        if p[0] == PT_NOTE:
            p[2] = at + len(body)
            body += notes.pop(0)
    for p in phdrs:
        if p[0] == PT_LOAD:
            p[2] = at + len(body)
            p[5] = 0  # p_filesz
    out = EHDR.pack(ident, e_type, machine, version, entry, EHDR.size, 0, flags, EHDR.size, PHDR.size,
                    len(phdrs), 0, 0, 0)
    out += b"".join(PHDR.pack(*p) for p in phdrs) + body
    with open(dst, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: seed_core.py CORE OUT")
    main(sys.argv[1], sys.argv[2])
