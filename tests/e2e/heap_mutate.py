#!/usr/bin/python3
# Damages the malloc state inside an ELF core, in place, for heap_fuzz.sh:
# chunk size fields, free-list links, tcache counts and entries, arena and
# heap_info fields and mp_ get random values or pointers to other chunks,
# as a half-overwritten heap would have them.  Deterministic for a seed.
#
# usage: heap_mutate.py CORE DB SEED COUNT   (DB: memsnap's analysis of CORE)
# Prints the offsets it changed and their old bytes as "offset hex" lines,
# which "heap_mutate.py --restore CORE < LOG" puts back.  tcmalloc_damage.py
# imports its core readers.
import random
import sqlite3
import struct
import sys


def loads(core):
    """The PT_LOADs of an ELF64 core: (vaddr, memsz, offset, filesz)."""
    core.seek(0)
    eh = core.read(64)
    phoff, = struct.unpack_from("<Q", eh, 32)
    phentsize, phnum = struct.unpack_from("<HH", eh, 54)
    out = []
    for i in range(phnum):
        core.seek(phoff + i * phentsize)
        p_type, _, offset, vaddr, _, filesz, memsz, _ = struct.unpack("<IIQQQQQQ", core.read(56))
        if p_type == 1:
            out.append((vaddr, memsz, offset, filesz))
    return out


def file_offset(segs, addr, size=8):
    for vaddr, _, offset, filesz in segs:
        if vaddr <= addr and addr + size <= vaddr + filesz:
            return offset + addr - vaddr
    return None


def mutate(path, db, seed, count):
    rng = random.Random(seed)
    con = sqlite3.connect(db)
    chunks = [r[0] for r in con.execute("SELECT address FROM chunks WHERE NOT mmapped")]
    mmapped = [r[0] for r in con.execute("SELECT address FROM chunks WHERE mmapped")]
    arenas = [r[0] for r in con.execute("SELECT address FROM arenas")]
    heaps = [r[0] for r in con.execute("SELECT address FROM heaps")]
    tcaches = [r[0] for r in con.execute("SELECT address FROM tcaches")]
    mp = [r[0] for r in con.execute("SELECT address FROM malloc_par")]
    con.close()

    def value():
        kind = rng.randrange(6)
        if kind == 0:
            return rng.getrandbits(64)
        if kind == 1:
            return rng.choice(chunks) if chunks else 0
        if kind == 2:
            return (rng.choice(chunks) + 16) if chunks else 0
        if kind == 3:
            return rng.randrange(0, 1 << 20) & ~7 | rng.randrange(8)
        if kind == 4:
            return 0
        return rng.choice(arenas) + rng.randrange(0, 2200, 8) if arenas else 0

    targets = []
    for _ in range(count):
        kind = rng.randrange(10)
        if kind < 4 and chunks:
            targets.append(rng.choice(chunks) + rng.choice((0, 8, 16, 24)))
        elif kind == 4 and mmapped:
            targets.append(rng.choice(mmapped) + rng.choice((0, 8)))
        elif kind in (5, 6) and arenas:
            targets.append(rng.choice(arenas) + rng.randrange(0, 2200, 8))
        elif kind == 7 and heaps:
            targets.append(rng.choice(heaps) + rng.randrange(0, 48, 8))
        elif kind == 8 and tcaches:
            targets.append(rng.choice(tcaches) + rng.randrange(0, 640, 8))
        elif mp:
            targets.append(mp[0] + rng.randrange(0, 136, 8))

    with open(path, "r+b") as core:
        segs = loads(core)
        for addr in targets:
            off = file_offset(segs, addr)
            if off is None:
                continue
            core.seek(off)
            old = core.read(8)
            print("%d %s" % (off, old.hex()))
            core.seek(off)
            core.write(struct.pack("<Q", value() & (2**64 - 1)))


def restore(path):
    lines = [l.split() for l in sys.stdin if l.strip()]
    with open(path, "r+b") as core:
        for off, old in reversed(lines):
            core.seek(int(off))
            core.write(bytes.fromhex(old))


if __name__ == "__main__":
    if sys.argv[1] == "--restore":
        restore(sys.argv[2])
    else:
        mutate(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
