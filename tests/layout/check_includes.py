#!/usr/bin/env python3
"""Holds the source tree to the rules docs/architecture.md writes down.

The rules are read from that document's tables, so the document and this
check cannot drift apart:

  - the folder table (| folder | holds | may include | must not include |):
    every #include "..." of a .c or .h file must name a file of its own
    folder or of a folder (or file) its row allows;
  - the generated-header table (| generated header | made by |): the headers
    the build writes, included as spelled there;
  - the layer tables (| layer | files | ...): a file of one layer uses (calls
    a function of, or includes the header of) files of earlier layers only.

It also reports, in every folder, a cycle between its files (a calls b and b
calls a, or the same through headers), an include spelled against the
convention (bare within a folder, from the top across folders), a citation of
a note that is not in this repository, and a path in a comment or a document
that names a file which does not exist.

usage: check_includes.py [--root DIR] [--doc PATH] [--names]
Prints one line per problem, "file:line: what (rule: ...)", and exits 1 when
there is any; prints "layout: ok (...)" and exits 0 otherwise.
"""

import argparse
import fnmatch
import os
import re
import subprocess
import sys
from collections import defaultdict

DOC = 'docs/architecture.md'

FOLDER_HEADER = ('folder', 'holds', 'may include', 'must not include')
GENERATED_HEADER = ('generated header', 'made by')
LAYER_HEADER = ('layer', 'files')

# Notes that live outside the repository and must not be cited by it; spelled
# in pieces so that this file does not cite them itself.
FOREIGN_NOTES = ['DESIGN' + '.md', 'STYLE' + '.md', '..' + '/shared']

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


class Problems:
    def __init__(self):
        self.lines = []

    def add(self, where, line, what):
        self.lines.append((where, line, what))

    def print(self, out):
        for where, line, what in sorted(self.lines):
            out.write('%s:%d: %s\n' % (where, line, what) if line else '%s: %s\n' % (where, what))


# ---- the tree -------------------------------------------------------------

def tracked_files(root):
    """The repository's files: git's list when root is the top of a work
    tree (so build directories and ignored files do not count), else every
    file under root but build trees (a tree without .git, such as a release
    tarball or the checker's own fixtures)."""
    try:
        top = subprocess.run(['git', '-C', root, 'rev-parse', '--show-toplevel'],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        top = None
    if top and os.path.realpath(top) == os.path.realpath(root):
        # Files not yet added count too, so a new file is checked before
        # its commit; what .gitignore names (build trees) does not.
        out = subprocess.run(['git', '-C', root, 'ls-files', '-z', '--cached', '--others',
                              '--exclude-standard'],
                             capture_output=True, text=True, check=True).stdout
        return sorted(p for p in out.split('\0') if p and os.path.isfile(os.path.join(root, p)))
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        # Hidden folders and meson build trees are not sources.
        dirnames[:] = [d for d in dirnames if not d.startswith('.') and
                       not os.path.isdir(os.path.join(dirpath, d, 'meson-private'))]
        for f in filenames:
            found.append(os.path.relpath(os.path.join(dirpath, f), root))
    return sorted(found)


def folder_of(path):
    d = os.path.dirname(path)
    return d if d else '.'


def read_text(root, path):
    try:
        with open(os.path.join(root, path), encoding='utf-8') as f:
            return f.read()
    except (UnicodeDecodeError, OSError):
        return None


# ---- the rules, from the document ------------------------------------------

def markdown_tables(text):
    """Each table of the document as (first line number, header cells, rows),
    a row being (line number, cells)."""
    tables = []
    lines = text.split('\n')
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith('|') and i + 1 < len(lines) and \
                re.match(r'^\s*\|[\s:|-]+\|\s*$', lines[i + 1]):
            header = split_row(lines[i])
            rows = []
            j = i + 2
            while j < len(lines) and lines[j].lstrip().startswith('|'):
                rows.append((j + 1, split_row(lines[j])))
                j += 1
            tables.append((i + 1, header, rows))
            i = j
        else:
            i += 1
    return tables


def split_row(line):
    cells = line.strip()
    if cells.startswith('|'):
        cells = cells[1:]
    if cells.endswith('|'):
        cells = cells[:-1]
    return [c.strip() for c in cells.split('|')]


def ticked(cell):
    """The machine-read part of a cell: its `backticked` names."""
    return re.findall(r'`([^`]+)`', cell)


class Rules:
    def __init__(self):
        self.folders = {}      # key -> dict(line, allow, deny)
        self.generated = {}    # spelling -> line
        self.layers = []       # list of tables: [(layer name, line, [patterns])]


def parse_rules(doc_path, text, problems):
    rules = Rules()
    for _, header, rows in markdown_tables(text):
        head = tuple(h.lower() for h in header)
        if head == FOLDER_HEADER:
            for line, cells in rows:
                if len(cells) != len(FOLDER_HEADER):
                    problems.add(doc_path, line, 'a folder row has %d cells' % len(FOLDER_HEADER))
                    continue
                keys = ticked(cells[0])
                if len(keys) != 1:
                    problems.add(doc_path, line, 'a folder row names one `folder/` (or `file`) in its first cell')
                    continue
                if keys[0] in rules.folders:
                    problems.add(doc_path, line, 'folder %s has a second row' % keys[0])
                rules.folders[keys[0]] = {'line': line, 'allow': ticked(cells[2]),
                                          'deny': ticked(cells[3])}
        elif head == GENERATED_HEADER:
            for line, cells in rows:
                for name in ticked(cells[0]):
                    rules.generated[name] = line
        elif head[:2] == LAYER_HEADER:
            rules.layers.append([(cells[0], line, ticked(cells[1])) for line, cells in rows
                                 if len(cells) >= len(LAYER_HEADER)])
    if not rules.folders:
        problems.add(doc_path, 0, 'no folder table (a table headed | %s |)' % ' | '.join(FOLDER_HEADER))
    # An allowance that a prohibition of the same row covers is a rule
    # quietly weakened: say so.
    for key, r in rules.folders.items():
        for a in r['allow']:
            for d in r['deny']:
                if patterns_overlap(a, d):
                    problems.add(doc_path, r['line'],
                                 '%s both may and must not include %s (%s)' % (key, a, d))
    return rules


def matches(pattern, path):
    """Does a rule's name cover a file?  `dir/` is the files directly in dir,
    `dir/**` everything under it, `*` anything, any other name that file (a
    glob such as `glibc_*.c` is allowed)."""
    if pattern == '*':
        return True
    if pattern.endswith('/**'):
        return path.startswith(pattern[:-2])
    if pattern.endswith('/'):
        d = pattern[:-1]
        return folder_of(path) == (d if d else '.')
    return fnmatch.fnmatchcase(path, pattern)


def patterns_overlap(a, b):
    """Could one file be covered by both names?  Tried on the names
    themselves and on a file inside each folder they name."""
    probes = [a, b]
    for p in (a, b):
        if p.endswith('/**'):
            probes.append(p[:-2] + 'x/y.h')
        if p.endswith('/'):
            probes.append(p + 'x.h')
    return any(matches(a, x) and matches(b, x) for x in probes)


def rule_for(rules, path):
    """The row that governs a file: a row naming the file, else the row of
    its folder, else the nearest `dir/**` above it."""
    best = None
    for key in rules.folders:
        if key.endswith('/**') or key.endswith('/') or key == '*':
            continue
        if fnmatch.fnmatchcase(path, key):
            return key
    if folder_of(path) + '/' in rules.folders:     # './' for the top
        return folder_of(path) + '/'
    for key in rules.folders:
        if key.endswith('/**') and path.startswith(key[:-2]):
            if best is None or len(key) > len(best):
                best = key
    return best


# ---- includes ----------------------------------------------------------------

def includes_of(text):
    for n, line in enumerate(text.split('\n'), 1):
        m = INCLUDE_RE.match(line)
        if m:
            yield n, m.group(1)


def resolve(includer, spelled, files, rules):
    """The file an include names: bare names are the includer's own folder,
    paths are from the top; a generated header as the table spells it.
    Returns (path or None, problem or None)."""
    here = folder_of(includer)
    if spelled in rules.generated:
        return spelled, None
    if '/' not in spelled:
        local = spelled if here == '.' else here + '/' + spelled
        if local in files:
            return local, None
        if spelled in files:            # a top-level file, spelled from the top
            return spelled, None
        return None, '"%s" is no file of %s/ (a bare name is a file of the same folder; ' \
                     'another folder\'s is spelled from the top)' % (spelled, here)
    path = os.path.normpath(spelled)
    if path.startswith('..') or path != spelled:
        return None, '"%s": spell includes from the top, without ./ or ../' % spelled
    if path not in files:
        return None, '"%s" names no file of the repository' % spelled
    if folder_of(path) == here:
        return path, '"%s" is in the same folder: include it bare, as "%s"' % (
            spelled, os.path.basename(path))
    return path, None


def check_includes(files, sources, texts, rules, problems, doc_path):
    """Returns the include edges between files of the same folder."""
    edges = defaultdict(list)   # file -> [(line, target)]
    unruled = set()
    for src in sources:
        key = rule_for(rules, src)
        if key is None:
            if folder_of(src) not in unruled:
                unruled.add(folder_of(src))
                problems.add(src, 0, 'no row of the folder table in %s covers %s/' % (doc_path, folder_of(src)))
            continue
        r = rules.folders[key]
        for line, spelled in includes_of(texts[src]):
            target, why = resolve(src, spelled, files, rules)
            if why:
                problems.add(src, line, why)
            if target is None:
                continue
            if folder_of(target) == folder_of(src):
                edges[src].append((line, target))
                continue
            if any(matches(a, target) for a in r['allow']):
                continue
            denied = [d for d in r['deny'] if matches(d, target)]
            problems.add(src, line, '%s may not include %s (rule: %s may include %s%s)' % (
                key, target, key, ', '.join(r['allow']) or 'its own folder only',
                '; must not include ' + ', '.join(denied) if denied else ''))
    return edges


# ---- who uses whom, within a folder --------------------------------------

C_TOKENS = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)


def strip_c(text):
    """Comments and literals blanked, newlines kept (line numbers hold)."""
    return C_TOKENS.sub(lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text)


DEF_START = re.compile(r'^(?!static\b|extern\b|typedef\b|(?:struct|enum|union)\s+\w*\s*\{|#)'
                       r'[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\s*\(')
VAR_DEF = re.compile(r'^(?!static\b|extern\b|typedef\b|#)(?:const\s+)?'
                     r'(?:struct\s+\w+|enum\s+\w+|unsigned\s+\w+|\w+)[\s\*]+(?:const\s+)?'
                     r'([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*=')


def exported_definitions(code):
    """Functions (and variables) a .c file defines without static: a line at
    the left margin naming one, whose declaration ends in a body, not ';'."""
    names = {}
    lines = code.split('\n')
    for i, line in enumerate(lines):
        m = DEF_START.match(line)
        if m:
            j, rest = i, line[m.end():]
            while True:
                if '{' in rest and (';' not in rest or rest.index('{') < rest.index(';')):
                    names[m.group(1)] = i + 1
                    break
                if ';' in rest or j + 1 >= len(lines):
                    break
                j += 1
                rest = lines[j]
            continue
        m = VAR_DEF.match(line)
        if m:
            names[m.group(1)] = i + 1
    return names


def use_graph(sources, texts, include_edges):
    """Who uses whom within each folder: a file uses the headers it includes,
    and a .c file uses the .c files that define the functions (and variables) it
    names.  A
    header is not its .c file's user, nor its user's (it only declares), so
    a family's shared header (glibc.h) joins no cycle by itself."""
    graph = defaultdict(dict)   # file -> {file: evidence}
    by_folder = defaultdict(list)
    for s in sources:
        by_folder[folder_of(s)].append(s)
    for folder, members in by_folder.items():
        code = {s: strip_c(texts[s]) for s in members if s.endswith('.c')}
        defined, twice = {}, set()
        for s in sorted(code):
            for name, line in exported_definitions(code[s]).items():
                if name in defined:
                    twice.add(name)
                defined.setdefault(name, (s, line))
        # A name two files define (each test program's main) belongs to
        # separate programs, not to one module the others use.
        for name in twice:
            del defined[name]
        for s in sorted(code):
            # The first use in a function body is the evidence; a prototype
            # at the left margin only when there is no other.
            weak = set()
            for n, line in enumerate(code[s].split('\n'), 1):
                in_body = line[:1].isspace()
                for name in re.findall(r'\b[A-Za-z_]\w*\b', line):
                    owner = defined.get(name)
                    if not owner or owner[0] == s:
                        continue
                    if owner[0] not in graph[s] or (in_body and owner[0] in weak):
                        graph[s][owner[0]] = '%s:%d uses %s (%s:%d)' % (s, n, name, owner[0], owner[1])
                        weak.discard(owner[0])
                        if not in_body:
                            weak.add(owner[0])
        for s in members:
            for line, target in include_edges.get(s, []):
                if target != s and target not in graph[s]:
                    graph[s][target] = '%s:%d includes %s' % (s, line, target)
    return graph


def cycles(graph):
    """Strongly connected components of more than one module, each as one
    cycle through them (Tarjan's algorithm, then a walk inside the component)."""
    index, low, on, stack, comps = {}, {}, set(), [], []
    counter = [0]
    nodes = sorted(set(graph) | {t for e in graph.values() for t in e})

    def visit(v):
        work = [(v, iter(sorted(graph.get(v, {}))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, {})))))
                    advanced = True
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))

    for v in nodes:
        if v not in index:
            visit(v)
    return sorted(comps)


def check_cycles(graph, problems):
    for comp in cycles(graph):
        members = set(comp)
        inside = ['%s' % graph[a][b] for a in comp for b in sorted(graph.get(a, {})) if b in members]
        problems.add(folder_of(comp[0]) + '/', 0, 'cycle between %s: %s' % (
            ', '.join(os.path.basename(m) for m in comp), '; '.join(inside)))


def check_layers(rules, sources, graph, problems, doc_path):
    """A file uses files of its own layer or earlier ones, never a later one
    (and the cycle check keeps each layer free of cycles)."""
    for table in rules.layers:
        layer_of = {}
        for rank, (name, line, patterns) in enumerate(table):
            for p in patterns:
                hit = [s for s in sources if matches(p, s)]
                if not hit:
                    problems.add(doc_path, line, 'layer %s names %s, which matches no file' % (name, p))
                for s in hit:
                    if s in layer_of:
                        problems.add(doc_path, line, '%s is in two layers (%s, %s)' % (s, layer_of[s][1], name))
                    else:
                        layer_of[s] = (rank, name)
        folders = {folder_of(f) for f in layer_of}
        for s in sources:
            if folder_of(s) in folders and s not in layer_of:
                problems.add(s, 0, 'in no layer of the table for %s/ in %s' % (folder_of(s), doc_path))
        for f, (rank, name) in sorted(layer_of.items()):
            for t, why in sorted(graph.get(f, {}).items()):
                if t in layer_of and layer_of[t][0] > rank:
                    problems.add(f, 0, 'layer "%s" uses layer "%s", which comes after it: %s' % (
                        name, layer_of[t][1], why))


# ---- text: foreign notes and paths that must exist -------------------------

def owned_prefixes(files):
    return sorted({f.split('/', 1)[0] for f in files if '/' in f and not f.startswith('.')})


def expand_braces(token):
    m = re.search(r'\{([^{}]*)\}', token)
    if not m:
        return [token]
    out = []
    for alt in m.group(1).split(','):
        out += expand_braces(token[:m.start()] + alt + token[m.end():])
    return out


# A name without its extension is the program, script or page made from a file.
MADE_FROM = ('.c', '.cpp', '.sh', '.py', '.go', '.md')


def path_exists(token, files, dirs, rules):
    """Is a path named in text a file or folder of ours?  A glob matches one;
    a name without extension may be the program built from NAME.c (or run
    from NAME.sh); an upper-case word (NAME, PID) is a placeholder and
    matches any name, but only where the same path with a name in its place
    would be ours (query/reports/NAME.sql, as a report's file)."""
    for t in expand_braces(token):
        t = t.rstrip('/')
        if t in files or t in dirs or t in rules.generated:
            continue
        if any(t + ext in files for ext in MADE_FROM):
            continue
        glob = re.sub(r'(?<![A-Za-z])[A-Z][A-Z0-9]+(?![a-z])', '*', t)
        if not re.search(r'[*?]', glob):
            return False
        if not any(fnmatch.fnmatchcase(f, g) for g in (glob, glob + '.*') for f in files) and \
                not any(fnmatch.fnmatchcase(d, glob) for d in dirs):
            return False
    return True


def check_text(files, rules, root, problems):
    dirs = set()
    for f in files:
        d = folder_of(f)
        while d != '.':
            dirs.add(d)
            d = folder_of(d)
    prefixes = owned_prefixes(files)
    path_re = re.compile(r'(?<![\w./~$@-])((?:%s)/[\w.*{},/-]*[\w*}])' % '|'.join(map(re.escape, prefixes)))
    link_re = re.compile(r'\]\(([^)#\s]+)(?:#[^)]*)?\)')
    for f in files:
        text = read_text(root, f)
        if text is None:
            continue
        for n, line in enumerate(text.split('\n'), 1):
            for note in FOREIGN_NOTES:
                if note in line:
                    problems.add(f, n, 'cites %s, which is not in this repository' % note)
            for m in path_re.finditer(line):
                if not path_exists(m.group(1), files, dirs, rules):
                    problems.add(f, n, 'names %s, which is no file or folder of the repository' % m.group(1))
            if f.endswith('.md'):
                for m in link_re.finditer(line):
                    target = m.group(1)
                    if re.match(r'^[a-z]+:', target):
                        continue
                    path = os.path.normpath(os.path.join(folder_of(f), target))
                    if path not in files and path not in dirs:
                        problems.add(f, n, 'links to %s, which does not exist' % target)


# ---- main ----------------------------------------------------------------------

def run(root, doc, out):
    problems = Problems()
    files = tracked_files(root)
    fileset = set(files)
    try:
        with open(os.path.join(root, doc), encoding='utf-8') as f:
            doc_text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        out.write('%s: cannot read the rules: %s\n' % (doc, e.strerror if isinstance(e, OSError) else e))
        return 1
    rules = parse_rules(doc, doc_text, problems)
    sources = [f for f in files if f.endswith(('.c', '.h'))]
    texts = {s: read_text(root, s) or '' for s in sources}
    include_edges = check_includes(fileset, sources, texts, rules, problems, doc)
    graph = use_graph(sources, texts, include_edges)
    check_cycles(graph, problems)
    check_layers(rules, sources, graph, problems, doc)
    check_text(files, rules, root, problems)
    check_names(root, files, problems)
    if problems.lines:
        problems.print(out)
        out.write('layout: %d problem%s\n' % (len(problems.lines), '' if len(problems.lines) == 1 else 's'))
        return 1
    out.write('layout: ok (%d files, %d folder rules, %d layer tables)\n' % (
        len(sources), len(rules.folders), len(rules.layers)))
    return 0


OBJECT_DEF = re.compile(r'^(?:typedef\s+)?(?:struct|enum)\s+([A-Za-z_]\w*)\s*\{', re.M)


def name_prefixes(root, path):
    """What an exported function of path may begin with: the file's stem (or
    its singular), or the name of a struct or enum its own header defines (the object the file
    is about: proc_stat_read in proc_read.c, which declares struct proc_stat)."""
    stem = os.path.basename(path)[:-2]
    prefixes = {stem}
    if stem.endswith('s'):
        prefixes.add(stem[:-1])  # the singular: module_of in modules.c
    header = read_text(root, path[:-2] + '.h') or ''
    prefixes.update(OBJECT_DEF.findall(strip_c(header)))
    return prefixes


def misnamed(root, files):
    """(file, line, name, stem) of each exported function named after
    neither its file nor its file's object."""
    for f in files:
        if not f.endswith('.c') or '/' not in f or f.split('/', 1)[0] in ('tests', 'samples', 'bench'):
            continue
        prefixes = name_prefixes(root, f)
        for name, line in sorted(exported_definitions(strip_c(read_text(root, f) or '')).items(),
                                 key=lambda kv: kv[1]):
            if name == 'main' or name.startswith('cmd_'):
                continue
            if not any(name in (p, p + 's') or name.startswith((p + '_', p + 's_')) for p in prefixes):
                yield f, line, name, os.path.basename(f)[:-2]


def check_names(root, files, problems):
    for f, line, name, stem in misnamed(root, files):
        problems.add(f, line, '%s does not begin with its file\'s name, %s_ (nor with an object its header '
                              'defines)' % (name, stem))


def list_names(root, out):
    """Every exported function the naming rule of docs/architecture.md refuses."""
    count = 0
    for f, line, name, stem in misnamed(root, tracked_files(root)):
        count += 1
        out.write('%s:%d: %s does not begin with %s\n' % (f, line, name, stem))
    out.write('names: %d exported functions misnamed\n' % count)
    return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--root', default=os.path.normpath(os.path.join(here, '..', '..')),
                    help='top of the source tree (default: this file\'s repository)')
    ap.add_argument('--doc', default=DOC, help='the rules, relative to the root (default: %(default)s)')
    ap.add_argument('--names', action='store_true',
                    help='list exported functions not named after their file, and exit')
    args = ap.parse_args()
    if args.names:
        return list_names(args.root, sys.stdout)
    return run(args.root, args.doc, sys.stdout)


if __name__ == '__main__':
    sys.exit(main())
