# gdb's judgement of memsnap's frames, for tests/e2e/real_lib.sh: run as
#   gdb -batch -ex 'py OURS="frames.txt"' -x real_frames.py EXE CORE
# where frames.txt holds memsnap's frames table as "tid depth pc offset name"
# lines (name "??" when memsnap has none).  gdb unwinds every thread of the
# same core itself; for each real frame (not inlined, not a tail call gdb
# reconstructs from DWARF call sites: no return address of those is on the
# stack) it wants the same pc
# and a name that is gdb's own for that code: its DWARF function, its ELF
# symbol, or another ELF symbol at the same start address (glibc's aliases:
# read, __libc_read, __GI___libc_read).  One "mismatch ..." line per
# difference, then "compared N frames of T threads".
import gdb

ours = {}
with open(OURS) as f:
    for line in f:
        tid, depth, pc, offset, name = line.split()
        ours.setdefault(int(tid), []).append((int(pc), int(offset), name))


def elf_symbol(pc):
    """gdb's ELF symbol at pc: (name, start) or (None, None)."""
    text = gdb.execute("info symbol %#x" % pc, to_string=True)
    if text.startswith("No symbol matches"):
        return None, None
    head = text.split(" in section ")[0]
    if " + " in head:
        name, off = head.rsplit(" + ", 1)
        return name, pc - int(off)
    return head, pc


def start_of(name):
    """Where gdb puts the ELF symbol NAME, or None."""
    try:
        return int(gdb.parse_and_eval("(long)&'%s'" % name))
    except gdb.error:
        return None


mismatches = frames = 0
threads = sorted(gdb.selected_inferior().threads(), key=lambda t: t.ptid[1])
for th in threads:
    tid = th.ptid[1]
    th.switch()
    theirs = []
    f = gdb.newest_frame()
    while f is not None:
        if f.type() not in (gdb.INLINE_FRAME, gdb.TAILCALL_FRAME):
            theirs.append(f)
        f = f.older()
    mine = ours.get(tid, [])
    if len(mine) != len(theirs):
        print("mismatch thread %d: %d frames, gdb unwinds %d" % (tid, len(mine), len(theirs)))
        mismatches += 1
    for depth, (f, (pc, offset, name)) in enumerate(zip(theirs, mine)):
        frames += 1
        if f.pc() != pc:
            print("mismatch thread %d frame %d: pc %#x, gdb %#x" % (tid, depth, pc, f.pc()))
            mismatches += 1
            continue
        # A return address can be the first byte past its caller: look up pc - 1.
        lookup = pc - 1 if depth > 0 else pc
        sym, start = elf_symbol(lookup)
        base = name.split("@")[0]                 # symbol versions: read@@GLIBC_2.2.5
        names = {sym, f.name()}
        if name == "??":
            ok = sym is None
        else:
            ok = base in names or (start is not None and start_of(base) == start
                                   and pc - offset == start)
        if not ok:
            print("mismatch thread %d frame %d at %#x: %s, gdb %s (DWARF) / %s (ELF)" %
                  (tid, depth, pc, name, f.name(), sym))
            mismatches += 1
for tid in sorted(set(ours) - {t.ptid[1] for t in threads}):
    print("mismatch thread %d: gdb does not see it" % tid)
    mismatches += 1
print("compared %d frames of %d threads" % (frames, len(threads)))
