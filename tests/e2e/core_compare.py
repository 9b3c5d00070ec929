#!/usr/bin/env python3
"""Compares two cores of one process in one state, without memsnap.

  core_compare.py A B

Prints one line per difference and exits 1 when there is any:
  - the notes, in order, by name and type, and their bytes, but for what a
    capture cannot hold still: the CPU times in NT_PRSTATUS (pr_utime,
    pr_stime, pr_cutime, pr_cstime), the MEMSNAP settings (the capture's own
    figures), status and stat (context switches and times), and the Pss
    lines of smaps (a share of pages that other processes map too, which
    changes as they come and go);
  - the PT_LOADs: address, sizes, flags, and every byte in the file.
"""
import hashlib
import mmap
import sys

from elfnote import MEMSNAP_TYPES, PT_LOAD, notes, phdrs

# include/uapi/linux/elfcore.h struct elf_prstatus on x86-64: the four
# struct timevals (16 bytes each) follow pr_info (12), pr_cursig (2, padded
# to 4), pr_sigpend, pr_sighold (8 each) and four pids (4 each): bytes 48-112.
PRSTATUS_TIMES = (48, 112)
NT_PRSTATUS = 1
SKIP = {("MEMSNAP", MEMSNAP_TYPES[n]) for n in ("settings", "status", "stat")}


def note_list(data):
    # copies: the CPU times are zeroed in place before comparing
    return [(name, ntype, bytearray(desc)) for name, ntype, desc in notes(data)]


def loads(data):
    return [(vaddr, memsz, filesz, flags, off) for p_type, flags, off, vaddr, _, filesz, memsz, _ in phdrs(data)
            if p_type == PT_LOAD]


def main():
    # mapped, not read: the cores are sparse files much larger than their bytes
    files = [open(p, "rb") for p in sys.argv[1:3]]
    a, b = (mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ) for f in files)
    bad = 0
    na, nb = note_list(a), note_list(b)
    if [(n, t) for n, t, _ in na] != [(n, t) for n, t, _ in nb]:
        print("the notes differ in name, type or order")
        bad = 1
    for (name, ntype, da), (_, _, db) in zip(na, nb):
        if (name, ntype) in SKIP:
            continue
        if (name, ntype) == ("MEMSNAP", MEMSNAP_TYPES["smaps"]):
            da, db = (b"\n".join(line for line in d.split(b"\n") if not line.startswith(b"Pss")) for d in (da, db))
        if name == "CORE" and ntype == NT_PRSTATUS:
            for d in (da, db):
                d[PRSTATUS_TIMES[0]:PRSTATUS_TIMES[1]] = bytes(64)
        if da != db:
            print(f"note {name} {ntype:#x} differs")
            bad = 1
    la, lb = loads(a), loads(b)
    if [x[:4] for x in la] != [x[:4] for x in lb]:
        print("the PT_LOADs differ")
        return 1
    ma, mb = memoryview(a), memoryview(b)
    for (vaddr, _, filesz, _, oa), (_, _, _, _, ob) in zip(la, lb):
        da, db = ma[oa:oa + filesz], mb[ob:ob + filesz]
        if hashlib.blake2b(da).digest() != hashlib.blake2b(db).digest():
            first = next(i for i in range(0, filesz, 4096) if da[i:i + 4096] != db[i:i + 4096])
            print(f"PT_LOAD {vaddr:#x}: bytes differ in the page at {vaddr + first:#x}")
            bad = 1
        da.release()
        db.release()
    ma.release()
    mb.release()
    return bad


sys.exit(main())
