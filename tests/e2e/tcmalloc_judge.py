#!/usr/bin/env python3
"""Holds what the tcmalloc walker read from a core (tcmalloc_walk's lines)
to what tcmalloc_user printed before the capture (its own figures and the
blocks it holds and freed).  Prints one TAP-ready line per check:
"ok DESCRIPTION" or "not ok DESCRIPTION: why"; lib.sh counts them.

Usage: tcmalloc_judge.py LABEL SAMPLE_OUTPUT WALK_OUTPUT
"""
import bisect
import re
import sys


def main():
    label, sample_path, walk_path = sys.argv[1:4]
    props, again, stats_objs, heaps = {}, {}, {}, None
    held, freed = [], []
    for line in open(sample_path):
        f = line.split()
        if not f:
            continue
        if f[0] == 'property':
            props[f[1]] = int(f[2])
        elif f[0] == 'again':
            again[f[1]] = int(f[2])
        elif f[0] == 'held':
            held.append((int(f[1], 16), int(f[2]), int(f[3])))
        elif f[0] == 'freed':
            freed.append(int(f[1], 16))
        elif f[0] == 'stats':
            m = re.match(r'stats class +(\d+) \[ +(\d+) bytes \] : +(\d+) objs', line)
            if m:
                stats_objs[int(m.group(1))] = int(m.group(3))
            m = re.match(r'stats MALLOC: +(\d+) +Thread heaps in use', line)
            if m:
                heaps = int(m.group(1))
    figures, classes, blocks, caches, warnings = {}, {}, [], 0, []
    for line in open(walk_path):
        f = line.split(None, 2) if line.startswith('warning') else line.split()
        if f[0] == 'figure':
            figures[f[1]] = int(f[2])
        elif f[0] == 'class':
            cl, size, used, central, transfer, thread = map(int, f[1:7])
            classes[cl] = central + transfer + thread
        elif f[0] == 'block':
            blocks.append((int(f[1], 16), int(f[2]), f[3]))
        elif f[0] == 'cache':
            caches += 1
        elif f[0] == 'warning':
            warnings.append(line.strip())

    def result(ok, what, why=''):
        print(('ok ' if ok else 'not ok ') + label + ': ' + what + ('' if ok else ': ' + why))

    result(props and props == again, 'the sample allocated nothing while it reported (figures read twice agree)',
           '%s vs %s' % (props, again))
    result(not warnings, 'no warning', '; '.join(warnings[:5]))
    for name, value in sorted(props.items()):
        result(figures.get(name) == value, '%s is %d, as tcmalloc said' % (name, value),
               'walked %s' % figures.get(name))
    wrong = [(cl, classes.get(cl, 0), n) for cl, n in stats_objs.items() if classes.get(cl, 0) != n]
    wrong += [(cl, n, 0) for cl, n in classes.items() if n and cl not in stats_objs]
    result(stats_objs and not wrong, 'free objects per size class (central + transfer + thread) as tcmalloc\'s stats count them',
           'class, walked, tcmalloc: %s' % wrong[:8])
    result(heaps is not None and caches == heaps, 'thread caches found: %s, as "Thread heaps in use" says' % heaps,
           'walked %d' % caches)
    starts = [b[0] for b in blocks]

    def block_holding(addr):
        i = bisect.bisect_right(starts, addr) - 1
        if i >= 0 and addr < blocks[i][0] + blocks[i][1]:
            return blocks[i]
        return None

    bad = [(hex(a), block_holding(a)) for a, size, usable in held
           if block_holding(a) != (a, usable, 'used')]
    result(held and not bad, 'the %d blocks the sample holds are used blocks of tc_malloc_size bytes' % len(held),
           str(bad[:5]))
    bad = [(hex(a), block_holding(a)) for a in freed if not block_holding(a) or block_holding(a)[2] == 'used']
    result(freed and not bad, 'the %d blocks the sample freed are free (cached, or in a free span)' % len(freed),
           str(bad[:5]))


main()
