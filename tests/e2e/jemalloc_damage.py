#!/usr/bin/python3
# Damages one of jemalloc's structures inside an ELF core, in place, for
# heap_jemalloc.sh, and prints the address the walker's warning must name:
#   extent  an active slab's edata_t gets a state jemalloc has none of
#           (e_bits bits 17..19 = 7, edata.h EDATA_BITS_STATE)
#   bitmap  an active slab's first bitmap word is inverted, so it disagrees
#           with the free count its edata_t keeps
#   cycle   arena 0's first base block (base_t.blocks, offset 160) gets
#           itself as next (base_block_t.next, offset 8)
# usage: jemalloc_damage.py CORE DB KIND; --restore CORE < LOG puts the
# bytes back (LOG: the lines after the first, "offset hex").
import sqlite3
import struct
import sys

from heap_mutate import file_offset, loads


def damage(path, db, kind):
    con = sqlite3.connect(db)
    slab = con.execute("SELECT edata FROM jemalloc_extents WHERE state = 'active' AND slab AND nregs >= 64 "
                       "ORDER BY edata LIMIT 1").fetchone()[0]
    base = con.execute("SELECT base FROM jemalloc_arenas WHERE ind = 0").fetchone()[0]
    con.close()
    undo = []
    with open(path, "r+b") as core:
        segs = loads(core)

        def read(addr):
            core.seek(file_offset(segs, addr))
            return struct.unpack("<Q", core.read(8))[0]

        def write(addr, v):
            off = file_offset(segs, addr)
            core.seek(off)
            undo.append("%d %s" % (off, core.read(8).hex()))
            core.seek(off)
            core.write(struct.pack("<Q", v))

        if kind == "extent":
            write(slab, read(slab) | (7 << 17))
            named = slab
        elif kind == "bitmap":
            write(slab + 64, read(slab + 64) ^ 0xffffffffffffffff)
            named = slab
        else:
            block = read(base + 160)
            write(block + 8, block)
            named = block
    print(named)
    for line in undo:
        print(line)


def restore(path):
    lines = [l.split() for l in sys.stdin if l.strip()][1:]
    with open(path, "r+b") as core:
        for off, old in reversed(lines):
            core.seek(int(off))
            core.write(bytes.fromhex(old))


if sys.argv[1] == "--restore":
    restore(sys.argv[2])
else:
    damage(sys.argv[1], sys.argv[2], sys.argv[3])
