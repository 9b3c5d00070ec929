#!/usr/bin/env python3
"""Holds a database analyze wrote for a core of tcmalloc_user to what the
sample printed just before the capture: tcmalloc's own figures
(MallocExtension_GetNumericProperty), its per-class statistics
(MallocExtension_GetStats), and the blocks it holds (tc_malloc_size's
usable sizes) and freed.  The database is read with Python's sqlite3
module, not memsnap.  Prints one line per check, "ok DESCRIPTION" or
"not ok DESCRIPTION: why", which heap_tcmalloc.sh turns into TAP.

Usage: tcmalloc_judge.py LABEL SAMPLE_OUTPUT DATABASE TASKS
(TASKS: the thread ids in /proc/PID/task at the capture, comma-separated)
"""
import bisect
import re
import sqlite3
import sys


def read_sample(path):
    s = {'property': {}, 'again': {}, 'objs': {}, 'heaps': None, 'held': [], 'freed': []}
    for line in open(path):
        f = line.split()
        if not f:
            continue
        if f[0] in ('property', 'again'):
            s[f[0]][f[1]] = int(f[2])
        elif f[0] == 'held':
            s['held'].append((int(f[1], 16), int(f[3])))
        elif f[0] == 'freed':
            s['freed'].append(int(f[1], 16))
        elif f[0] == 'stats':
            m = re.match(r'stats class +(\d+) \[ +(\d+) bytes \] : +(\d+) objs', line)
            if m:
                s['objs'][int(m.group(1))] = int(m.group(3))
            m = re.match(r'stats MALLOC: +(\d+) +Thread heaps in use', line)
            if m:
                s['heaps'] = int(m.group(1))
    return s


def main():
    label, sample_path, db_path, tasks = sys.argv[1:5]
    s = read_sample(sample_path)
    s['tasks'] = [int(t) for t in tasks.split(',') if t]
    db = sqlite3.connect('file:%s?mode=ro' % db_path, uri=True)
    q = lambda sql: db.execute(sql).fetchall()

    def result(ok, what, why=''):
        print(('ok ' if ok else 'not ok ') + label + ': ' + what + ('' if ok else ': ' + why))

    result(s['property'] and s['property'] == s['again'],
           'the sample allocated nothing while it reported (its figures read twice agree)',
           '%s vs %s' % (s['property'], s['again']))
    warnings = q("SELECT address, message FROM warnings WHERE stage = 'heap'")
    result(not warnings, 'no heap warning', str(warnings[:5]))
    result(q("SELECT walked, state FROM allocators WHERE name = 'tcmalloc'") == [(1, 'in_use')],
           'tcmalloc is walked and in use', str(q("SELECT * FROM allocators")))
    props = dict(q('SELECT name, value FROM tcmalloc_properties'))
    for name, value in sorted(s['property'].items()):
        result(props.get(name) == value, 'tcmalloc_properties: %s is %d, as tcmalloc says' % (name, value),
               'the database says %s' % props.get(name))
    stats = dict(q('SELECT system_bytes, free_bytes FROM tcmalloc_heap'))
    result(stats == {s['property'].get('generic.heap_size'): s['property'].get('tcmalloc.pageheap_free_bytes')},
           "tcmalloc_heap: the page heap's own Stats are tcmalloc's heap_size and pageheap_free_bytes", str(stats))
    objs = dict(q('SELECT class, objs FROM tcmalloc_class_stats'))
    result(s['objs'] and objs == s['objs'], "tcmalloc_class_stats: free objects per size class, as tcmalloc's GetStats counts them",
           'differ at %s' % sorted((k, objs.get(k), s['objs'].get(k)) for k in set(objs) | set(s['objs'])
                                   if objs.get(k) != s['objs'].get(k))[:8])
    caches = q('SELECT count(*) FROM tcmalloc_thread_caches')[0][0]
    result(caches == s['heaps'], 'tcmalloc_thread_caches: %s, as "Thread heaps in use" says' % s['heaps'],
           'the database has %d' % caches)
    # A thread may own two: gperftools makes one before its TSD is set up, and another after.
    tids = [r[0] for r in q('SELECT tid FROM tcmalloc_thread_caches')]
    result(None not in tids and sorted(set(tids)) == sorted(s['tasks']),
           'tcmalloc_thread_caches: every thread of the process (/proc/PID/task) has one, found by fs_base',
           'caches of %s, tasks %s' % (tids, sorted(s['tasks'])))
    blocks = q("SELECT mem, usable, state, leak FROM chunks WHERE allocator = 'tcmalloc' ORDER BY mem")
    starts = [b[0] for b in blocks]

    def block_holding(addr):
        i = bisect.bisect_right(starts, addr) - 1
        return blocks[i] if i >= 0 and addr < blocks[i][0] + blocks[i][1] else None

    bad = [(hex(a), block_holding(a)) for a, usable in s['held']
           if not block_holding(a) or block_holding(a)[:3] != (a, usable, 'used')]
    result(s['held'] and not bad, 'the %d blocks the sample holds are used blocks of tc_malloc_size bytes' % len(s['held']),
           str(bad[:5]))
    bad = [(hex(a), block_holding(a)) for a, usable in s['held'] if block_holding(a) and block_holding(a)[3] != 'reachable']
    result(not bad, 'none of them is called leaked: the sample keeps them in a static table', str(bad[:5]))
    bad = [(hex(a), block_holding(a)) for a in s['freed'] if not block_holding(a) or block_holding(a)[2] != 'free']
    result(s['freed'] and not bad, 'the %d blocks the sample freed are free (cached, or in a free span)' % len(s['freed']),
           str(bad[:5]))
    used = q("SELECT count(*), sum(usable) FROM chunks WHERE allocator = 'tcmalloc' AND state = 'used'")[0]
    result(used[1] == s['property'].get('generic.current_allocated_bytes'),
           'the used blocks add up to generic.current_allocated_bytes', 'they are %s' % (used,))


main()
