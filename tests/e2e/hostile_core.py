#!/usr/bin/env python3
"""Makes hostile cores from a real one, for the tests and bench/hostile_scaling.

  hostile_core.py BASE OUT names-file PATH   every NT_FILE entry of the main
                                             program names PATH instead
  hostile_core.py BASE OUT empty-loads N     N more PT_LOADs, empty (no file
                                             bytes), at 16 TiB
  hostile_core.py BASE OUT file-entries N    N more NT_FILE entries, each a
                                             page of a file named by its number

The program headers and notes are rewritten at the end of the file; more than
65534 program headers use extended numbering (e_phnum = PN_XNUM, the count in
section header 0's sh_info), as the kernel writes them.
"""
import struct
import sys

PT_LOAD, PT_NOTE, PN_XNUM = 1, 4, 0xFFFF
NT_FILE, AT_ENTRY = 0x46494C45, 9
PHDR = struct.Struct("<IIQQQQQQ")
SHDR = struct.Struct("<IIQQQQIIQQ")
# 16 TiB: far below where x86-64 Linux puts mmaps, stacks and the vdso (near 128 TiB), above any program
FREE_AREA = 0x100000000000


def align(n, a):
    return (n + a - 1) & ~(a - 1)


def read_phdrs(data):
    phoff, shoff = struct.unpack_from("<QQ", data, 32)
    phnum = struct.unpack_from("<H", data, 56)[0]
    if phnum == PN_XNUM:
        phnum = struct.unpack_from("<I", data, shoff + 44)[0]
    return [list(PHDR.unpack_from(data, phoff + 56 * i)) for i in range(phnum)]


def read_notes(data, ph):
    out, pos, end = [], ph[2], ph[2] + ph[5]
    while pos + 12 <= end:
        namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
        name = bytes(data[pos + 12:pos + 12 + namesz])
        desc = pos + 12 + align(namesz, 4)
        out.append([name, ntype, bytes(data[desc:desc + descsz])])
        pos = desc + align(descsz, 4)
    return out


def pack_notes(notes):
    blob = bytearray()
    for name, ntype, desc in notes:
        blob += struct.pack("<III", len(name), len(desc), ntype) + name + b"\0" * (align(len(name), 4) - len(name))
        blob += desc + b"\0" * (align(len(desc), 4) - len(desc))
    return bytes(blob)


def parse_nt_file(desc):
    count, page = struct.unpack_from("<QQ", desc, 0)
    ranges = [struct.unpack_from("<QQQ", desc, 16 + 24 * i) for i in range(count)]
    names = desc[16 + 24 * count:].split(b"\0")[:count]
    return page, ranges, names


def pack_nt_file(page, ranges, names):
    out = bytearray(struct.pack("<QQ", len(ranges), page))
    for r in ranges:
        out += struct.pack("<QQQ", *r)
    for n in names:
        out += n + b"\0"
    return bytes(out)


def auxv_entry(notes):
    desc = next(d for n, t, d in notes if t == 6)
    for i in range(0, len(desc), 16):
        k, v = struct.unpack_from("<QQ", desc, i)
        if k == AT_ENTRY:
            return v
    return None


def write(data, out, phdrs, notes):
    """Appends the notes and the program headers at the end; extended numbering when needed."""
    data = bytearray(data)
    blob = pack_notes(notes)
    note_off = align(len(data), 8)
    data += b"\0" * (note_off - len(data)) + blob
    for p in phdrs:
        if p[0] == PT_NOTE:
            p[2], p[5] = note_off, len(blob)
    phoff = align(len(data), 8)
    data += b"\0" * (phoff - len(data))
    data += b"".join(PHDR.pack(*p) for p in phdrs)
    struct.pack_into("<Q", data, 32, phoff)
    if len(phdrs) >= PN_XNUM:
        shoff = align(len(data), 8)
        data += b"\0" * (shoff - len(data)) + SHDR.pack(0, 0, 0, 0, 0, 0, 0, len(phdrs), 0, 0)
        struct.pack_into("<Q", data, 40, shoff)
        struct.pack_into("<HHHH", data, 56, PN_XNUM, SHDR.size, 1, 0)
    else:
        struct.pack_into("<H", data, 56, len(phdrs))
    with open(out, "wb") as f:
        f.write(data)


def main():
    base, out, mode, arg = sys.argv[1:5]
    data = open(base, "rb").read()
    phdrs = read_phdrs(data)
    note_ph = next(p for p in phdrs if p[0] == PT_NOTE)
    notes = read_notes(data, note_ph)
    nf = next(n for n in notes if n[1] == NT_FILE)
    page, ranges, names = parse_nt_file(nf[2])
    if mode == "names-file":
        entry = auxv_entry(notes)
        main_name = next(names[i] for i, (s, e, _) in enumerate(ranges) if s <= entry < e)
        names = [arg.encode() if n == main_name else n for n in names]
        nf[2] = pack_nt_file(page, ranges, names)
    elif mode == "empty-loads":
        top = FREE_AREA
        phdrs += [[PT_LOAD, 4, 0, top + i * 0x2000, 0, 0, 0x1000, 0x1000] for i in range(int(arg))]
    elif mode == "file-entries":
        top = FREE_AREA
        n = int(arg)
        ranges = list(ranges) + [(top + i * 0x2000, top + i * 0x2000 + 0x1000, 0) for i in range(n)]
        names = list(names) + [b"/nonexistent/%d" % i for i in range(n)]
        nf[2] = pack_nt_file(page, ranges, names)
    else:
        sys.exit("unknown mode " + mode)
    write(data, out, phdrs, notes)


if __name__ == "__main__":
    main()
