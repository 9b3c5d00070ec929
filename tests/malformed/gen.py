#!/usr/bin/env python3
"""Breaks a real core in every way a core can be broken: truncated, crafted
headers and notes, absurd counts, overlapping or wrapping segments, garbage
in each MEMSNAP note, random byte damage.

usage: gen.py BASE-CORE OUTDIR

Writes OUTDIR/NAME.core for each case and OUTDIR/manifest.tsv, one line per
case: NAME <TAB> EXPECT <TAB> REGEX, where EXPECT is
  fail  memsnap analyze must exit 1, and its message must match REGEX
  ok    it must exit 0, and a row of the database's warnings must match REGEX
  any   exit 0 or 1 (random damage: either is right, as long as it is clean)
The cases are generated from the base core rather than committed, so they
follow whatever the producers (the kernel, gdb, memsnap) write today.
"""
import os
import random
import struct
import sys

PT_LOAD, PT_NOTE = 1, 4
NT_PRSTATUS, NT_PRPSINFO, NT_AUXV, NT_FILE = 1, 3, 6, 0x46494c45
AT_PAGESZ, AT_ENTRY, AT_SYSINFO_EHDR, AT_EXECFN = 6, 9, 33, 31
# common/memsnap_note.h: MEMSNAP_NT_BASE (0x4d534e00) + n
MEMSNAP = {name: 0x4d534e00 + n for n, name in enumerate(
    ["smaps", "status", "stat", "cmdline", "settings", "skipped", "threads", "stacks"], start=1)}

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
NHDR = struct.Struct("<III")


def align4(n):
    return (n + 3) & ~3


class Core:
    def __init__(self, data):
        self.data = bytearray(data)
        (self.ident, self.type, self.machine, _, _, self.phoff, self.shoff, _,
         _, self.phentsize, self.phnum, _, self.shnum, _) = EHDR.unpack_from(data, 0)
        self.phdrs = [list(PHDR.unpack_from(data, self.phoff + i * PHDR.size)) for i in range(self.phnum)]
        self.note_ph = next(i for i, p in enumerate(self.phdrs) if p[0] == PT_NOTE)
        self.loads = [i for i, p in enumerate(self.phdrs) if p[0] == PT_LOAD]
        self.notes = []  # (offset of header, name, type, desc offset, descsz)
        off, end = self.phdrs[self.note_ph][2], self.phdrs[self.note_ph][2] + self.phdrs[self.note_ph][5]
        while off + 12 <= end:
            namesz, descsz, ntype = NHDR.unpack_from(data, off)
            name = bytes(data[off + 12:off + 12 + namesz]).rstrip(b"\0").decode("latin1")
            desc = off + 12 + align4(namesz)
            self.notes.append((off, name, ntype, desc, descsz))
            off = desc + align4(descsz)

    def note(self, name, ntype):
        return next((n for n in self.notes if n[1] == name and n[2] == ntype), None)

    def copy(self):
        return bytearray(self.data)


def set_phdr(data, core, index, field, value):
    fmt = {"type": (0, "<I"), "flags": (4, "<I"), "offset": (8, "<Q"), "vaddr": (16, "<Q"),
           "filesz": (32, "<Q"), "memsz": (40, "<Q")}[field]
    struct.pack_into(fmt[1], data, core.phoff + index * PHDR.size + fmt[0], value)
    return data


def with_notes(core, extra):
    """The core with more notes: the note segment rewritten at the end of the file."""
    data = core.copy()
    p = core.phdrs[core.note_ph]
    blob = bytearray(data[p[2]:p[2] + p[5]])
    for name, ntype, desc in extra:
        nm = name.encode() + b"\0"
        blob += NHDR.pack(len(nm), len(desc), ntype) + nm + b"\0" * (align4(len(nm)) - len(nm))
        blob += desc + b"\0" * (align4(len(desc)) - len(desc))
    off = len(data) + (-len(data) % 8)
    data += b"\0" * (off - len(data)) + blob
    set_phdr(data, core, core.note_ph, "offset", off)
    set_phdr(data, core, core.note_ph, "filesz", len(blob))
    return data


def main():
    base_path, out = sys.argv[1], sys.argv[2]
    base = open(base_path, "rb").read()
    core = Core(base)
    size = len(base)
    cases = []

    def case(name, data, expect, regex):
        with open(os.path.join(out, name + ".core"), "wb") as f:
            f.write(data)
        cases.append((name, expect, regex))

    def patched(offset, fmt, value):
        d = core.copy()
        struct.pack_into(fmt, d, offset, value)
        return d

    # Not a core memsnap reads at all: exit 1, the file named.
    case("empty", b"", "fail", "is empty")
    case("text", b"this is not a core\n" * 100, "fail", "not an ELF file")
    case("elf-header-only", base[:64], "fail", "program header")
    case("short-header", base[:40], "fail", "shorter than an ELF header")
    case("class32", patched(4, "B", 1), "fail", "32-bit")
    case("big-endian", patched(5, "B", 2), "fail", "big-endian")
    case("not-core", patched(16, "<H", 2), "fail", "not a core")
    case("aarch64", patched(18, "<H", 183), "fail", "not x86-64")
    case("phoff-past-end", patched(32, "<Q", size + 4096), "fail", "offset")
    case("phnum-absurd", patched(56, "<H", 0xfffe), "fail", "offset")
    case("phentsize-wrong", patched(54, "<H", 32), "any", "")
    case("no-phdrs", patched(56, "<H", 0), "fail", "no program headers")
    case("shoff-past-end", patched(40, "<Q", size * 4), "any", "")
    case("shnum-absurd", patched(60, "<H", 0xffff), "any", "")

    # Truncated: before, inside and after every part.  Inside the ELF header
    # or the program headers nothing is usable (exit 1); past them the rest
    # is read, with warnings at the offsets where the file ends.
    phend = core.phoff + core.phnum * PHDR.size
    for cut in (1, 15, 16, 63):
        case("cut-%d" % cut, base[:cut], "fail", "")
    for cut in sorted({core.phoff + 1, core.phoff + PHDR.size * (core.phnum // 2) + 7, phend - 1}):
        case("cut-%d" % cut, base[:cut], "fail", "offset")
    note_start = core.phdrs[core.note_ph][2]
    cuts = {note_start, note_start + 5}
    for n in core.notes[:16]:
        cuts.add(n[0] + 3)
        cuts.add(n[3] + n[4] // 2)
    first_data = min((core.phdrs[i][2] for i in core.loads if core.phdrs[i][5]), default=size)
    cuts.update({first_data + 1, (first_data + size) // 2, size - 4096, size - 1})
    for cut in sorted(c for c in cuts if phend <= c < size):
        case("cut-%d" % cut, base[:cut], "ok", "truncated|runs past")

    # Program headers pointing astray.
    i = core.note_ph
    case("note-offset-past-end", set_phdr(core.copy(), core, i, "offset", size + 100), "ok", "PT_NOTE")
    case("note-size-huge", set_phdr(core.copy(), core, i, "filesz", 1 << 62), "ok", "PT_NOTE")
    # Offset and size at 2^64 - 1: the offset plus a note header wraps to a small number.
    case("note-offset-wraps", set_phdr(set_phdr(core.copy(), core, i, "offset", (1 << 64) - 1), core, i, "filesz",
                                       (1 << 64) - 1), "ok", "PT_NOTE")
    load = core.loads[len(core.loads) // 2]
    case("load-offset-past-end", set_phdr(core.copy(), core, load, "offset", size * 8), "ok", "runs past")
    case("load-filesz-huge", set_phdr(core.copy(), core, load, "filesz", 1 << 62), "ok", "exceeds p_memsz|runs past")
    case("load-wraps", set_phdr(set_phdr(core.copy(), core, load, "vaddr", (1 << 64) - 4096), core, load,
                                "memsz", 1 << 20), "ok", "wrapping")
    case("load-memsz-huge", set_phdr(core.copy(), core, load, "memsz", 1 << 62), "any", "")
    d = core.copy()
    set_phdr(d, core, core.loads[1], "vaddr", core.phdrs[core.loads[0]][3])
    case("loads-overlap", d, "ok", "overlaps")
    d = core.copy()
    for j in core.loads:
        set_phdr(d, core, j, "type", 0)
    case("no-loads", d, "any", "")
    d = core.copy()
    for j in core.loads:
        set_phdr(d, core, j, "vaddr", 0x10000)
    case("all-loads-same-address", d, "ok", "overlaps")

    # Notes with absurd sizes and counts.
    n0 = core.notes[0]
    case("note-descsz-huge", patched(n0[0] + 4, "<I", 0xfffffff0), "ok", "runs past its segment|no NT_PRSTATUS")
    case("note-namesz-huge", patched(n0[0], "<I", 0xfffffff0), "ok", "runs past its segment|no NT_PRSTATUS")
    case("note-namesz-zero", patched(n0[0], "<I", 0), "any", "")
    nf = core.note("CORE", NT_FILE)
    if nf:
        case("ntfile-count-absurd", patched(nf[3], "<Q", 1 << 40), "ok", "NT_FILE")
        case("ntfile-count-one-too-many", patched(nf[3], "<Q", struct.unpack_from("<Q", base, nf[3])[0] + 1),
             "any", "")
        case("ntfile-page-zero", patched(nf[3] + 8, "<Q", 0), "ok", "NT_FILE page size")
        case("ntfile-page-odd", patched(nf[3] + 8, "<Q", 4095), "ok", "NT_FILE page size")
        d = core.copy()
        count = struct.unpack_from("<Q", base, nf[3])[0]
        for k in range(count):  # every entry ends before it starts, and its offset is absurd
            struct.pack_into("<QQQ", d, nf[3] + 16 + 24 * k, 0x7f0000000000, 0x1000, 1 << 60)
        case("ntfile-entries-garbage", d, "any", "")
        d = core.copy()
        names = nf[3] + 16 + 24 * count
        d[names:nf[3] + nf[4]] = bytes(b if b else 0x41 for b in d[names:nf[3] + nf[4]])
        case("ntfile-names-unterminated", d, "ok", "NT_FILE names")
    prs = [n for n in core.notes if n[1] == "CORE" and n[2] == NT_PRSTATUS]
    # prstatus_t: pr_pid at byte 32, pr_reg (27 registers) at byte 112.
    d = core.copy()
    tid0 = struct.unpack_from("<i", base, prs[0][3] + 32)[0]
    for n in prs:
        struct.pack_into("<i", d, n[3] + 32, tid0)
    case("threads-same-tid", d, "ok" if len(prs) > 1 else "any", "duplicate")
    d = core.copy()
    for n in prs:
        struct.pack_into("<i", d, n[3] + 32, 0)
    case("threads-tid-zero", d, "ok", "not a thread id")
    d = core.copy()
    r = random.Random(7)
    for n in prs:  # every register of every thread: garbage
        d[n[3] + 112:n[3] + 112 + 27 * 8] = bytes(r.randrange(256) for _ in range(27 * 8))
    case("registers-garbage", d, "any", "")
    # Absurd counts: twenty thousand threads, two hundred thousand notes.
    desc = bytearray(base[prs[-1][3]:prs[-1][3] + prs[-1][4]])
    many = []
    for k in range(20000):
        struct.pack_into("<i", desc, 32, 1000000 + k)
        many.append(("CORE", NT_PRSTATUS, bytes(desc)))
    case("threads-many", with_notes(core, many), "any", "")
    case("notes-many", with_notes(core, [("JUNK", k, b"") for k in range(200000)]), "any", "")
    # pr_reg holds user_regs_struct: rbp is register 4, rsp register 19.
    d = core.copy()
    struct.pack_into("<Q", d, prs[0][3] + 112 + 4 * 8, 0x2000)
    struct.pack_into("<Q", d, prs[0][3] + 112 + 19 * 8, 0x1000)
    case("stack-pointer-astray", d, "ok", "stack at 0x[0-9a-f]+ is not in the core")
    d = core.copy()
    for n in prs:
        struct.pack_into("<I", d, n[0] + 4, 100)  # NT_PRSTATUS shorter than prstatus_t
    case("prstatus-short", d, "any", "NT_PRSTATUS")
    av = core.note("CORE", NT_AUXV)
    if av:
        d = core.copy()
        for k in range(av[4] // 16):
            t = struct.unpack_from("<Q", base, av[3] + 16 * k)[0]
            bad = {AT_EXECFN: 0xdeadbeef0, AT_ENTRY: 0, AT_PAGESZ: 3, AT_SYSINFO_EHDR: 0x10}.get(t)
            if bad is not None:
                struct.pack_into("<Q", d, av[3] + 16 * k + 8, bad)
        case("auxv-garbage", d, "any", "")
        d = core.copy()
        for k in range(av[4] // 16):  # no AT_NULL anywhere
            struct.pack_into("<QQ", d, av[3] + 16 * k, AT_EXECFN, 0x1000 * k)
        case("auxv-unterminated", d, "any", "")

    # The MEMSNAP notes, each full of garbage (appended to whatever the core has).
    rnd = random.Random(4)
    junk = bytes(rnd.randrange(256) for _ in range(4096))
    for note, text in [
            ("smaps", junk),
            ("smaps", b"7f0000000000-7e0000000000 rw-p 00000000 00:00 0\n"),
            ("smaps", b"7f0000002000-7f0000003000 rw-p 00000000 00:00 0\n7f0000000000-7f0000001000 rw-p 0 00:00 0\n"),
            ("smaps", b"0-ffffffffffffffff rw-p 00000000 00:00 0 [heap]\nRss: 99999999999999999999 kB\n"),
            ("status", junk),
            ("status", b"VmRSS:\t999999999999999999999 kB\nVmData: -1 kB\nName:\t" + b"n" * 10000 + b"\n"),
            ("settings", junk),
            ("settings", b"pid=-5\nexe=\ncaptured_at=\npause_ms=nan\npage_size=3\n"),
            ("settings", b"pid=99999999999999999999\nexe=" + b"/x" * 50000 + b"\n"),
            ("cmdline", b"\0" * 100000),
            ("cmdline", junk),
            ("threads", junk),
            ("threads", b"\t\t\n1\n-5\tx\n99999999999\ty\n" + b"1\t" + b"n" * 1000 + b"\n"),
            ("stacks", junk),
            ("stacks", b"1\t0\tzz\tf\t0\tm\n1\t0\t10\t\t\t\n\t\t\t\t\t\n" * 100),
            ("skipped", junk)]:
        case("memsnap-%s-%d" % (note, len(cases)), with_notes(core, [("MEMSNAP", MEMSNAP[note], text)]), "any", "")
    case("memsnap-notes-empty", with_notes(core, [("MEMSNAP", t, b"") for t in MEMSNAP.values()]), "any", "")

    # Random damage: bytes flipped in the notes, in the program headers, anywhere.
    nlen = core.phdrs[core.note_ph][5]
    for seed in range(16):
        r = random.Random(seed)
        d = core.copy()
        for _ in range(1 + seed % 8):
            d[note_start + r.randrange(nlen)] = r.randrange(256)
        case("fuzz-notes-%d" % seed, d, "any", "")
    for seed in range(8):
        r = random.Random(100 + seed)
        d = core.copy()
        for _ in range(1 + seed % 4):
            d[core.phoff + r.randrange(phend - core.phoff)] = r.randrange(256)
        case("fuzz-phdrs-%d" % seed, d, "any", "")
    for seed in range(6):
        r = random.Random(200 + seed)
        d = core.copy()
        for _ in range(64):
            d[r.randrange(size)] = r.randrange(256)
        case("fuzz-anywhere-%d" % seed, d, "any", "")

    with open(os.path.join(out, "manifest.tsv"), "w") as f:
        for name, expect, regex in cases:
            f.write("%s\t%s\t%s\n" % (name, expect, regex))


if __name__ == "__main__":
    main()
