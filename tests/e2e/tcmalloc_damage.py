#!/usr/bin/python3
# Damages one tcmalloc Span inside an ELF core, in place, for
# heap_tcmalloc.sh: the first large block's span (size class 0, in use, as
# the database of the undamaged core lists it) gets a length of 0 pages, as
# a stray write would leave it.  Prints the Span's address.
#
# usage: tcmalloc_damage.py CORE DB
import sqlite3
import struct
import sys

from heap_mutate import file_offset, loads

SPAN_LENGTH = 8  # gperftools span.h: Span { PageID start; Length length; ... }


def main():
    path, db = sys.argv[1:3]
    con = sqlite3.connect(db)
    span, = con.execute("SELECT address FROM tcmalloc_spans WHERE size_class = 0 AND location = 'in_use'"
                        " ORDER BY start LIMIT 1").fetchone()
    con.close()
    with open(path, "r+b") as core:
        off = file_offset(loads(core), span + SPAN_LENGTH)
        if off is None:
            sys.exit("tcmalloc_damage: span %#x is not in core '%s'" % (span, path))
        core.seek(off)
        core.write(struct.pack("<Q", 0))
    print("%#x" % span)


main()
