#!/usr/bin/env python3
"""Makes a memsnap core look as if capture had left a range out, the way
capture does for a page in swap (docs/core-format.md, reason "swapped"):
the range's bytes inside p_filesz become zeros (capture writes a hole
there) and the MEMSNAP skipped note gains the line START-END<TAB>REASON<TAB>DETAIL.
It is how a test reaches that state on a machine where no page can be
swapped out.  The notes are rewritten at the end of the file and PT_NOTE
points there, as add_memsnap_notes.py does.

usage: core_leave_out.py CORE START END REASON DETAIL   (START, END in hex)
"""
import struct
import sys

PT_LOAD, PT_NOTE = 1, 4
SKIPPED = 0x4d534e06  # common/memsnap_note.h: MEMSNAP_NT_SKIPPED


def main():
    core, start, end, reason, detail = sys.argv[1], int(sys.argv[2], 16), int(sys.argv[3], 16), sys.argv[4], sys.argv[5]
    with open(core, "r+b") as f:
        data = f.read()
        phoff, = struct.unpack_from("<Q", data, 32)
        phnum, = struct.unpack_from("<H", data, 56)
        note_index = None
        zeroed = 0
        for i in range(phnum):
            p_type, _, off, vaddr, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + 56 * i)
            if p_type == PT_NOTE:
                note_index = i
            elif p_type == PT_LOAD:
                lo, hi = max(start, vaddr), min(end, vaddr + filesz)
                if lo < hi:
                    f.seek(off + lo - vaddr)
                    f.write(b"\0" * (hi - lo))
                    zeroed += hi - lo
        if note_index is None or not zeroed:
            sys.exit("core_leave_out: %s has no PT_NOTE, or no byte of %x-%x" % (core, start, end))
        _, _, off, _, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + 56 * note_index)
        blob, pos, found = bytearray(), off, False
        line = ("%x-%x\t%s\t%s\n" % (start, end, reason, detail)).encode()
        while pos + 12 <= off + filesz:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name = data[pos + 12:pos + 12 + namesz]
            desc_at = pos + 12 + ((namesz + 3) & ~3)
            desc = data[desc_at:desc_at + descsz]
            pos = desc_at + ((descsz + 3) & ~3)
            if name.rstrip(b"\0") == b"MEMSNAP" and ntype == SKIPPED:
                desc, found = desc + line, True
            blob += struct.pack("<III", namesz, len(desc), ntype) + name + b"\0" * (-namesz % 4)
            blob += desc + b"\0" * (-len(desc) % 4)
        if not found:
            sys.exit("core_leave_out: %s has no MEMSNAP skipped note" % core)
        end_of_file = f.seek(0, 2)
        pad = -end_of_file % 8
        f.write(b"\0" * pad + blob)
        f.seek(phoff + 56 * note_index + 8)
        f.write(struct.pack("<Q", end_of_file + pad))
        f.seek(phoff + 56 * note_index + 32)
        f.write(struct.pack("<QQ", len(blob), 0))


if __name__ == "__main__":
    main()
