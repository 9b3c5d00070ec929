#!/usr/bin/env python3
"""Writes memsnap's man pages from docs/memsnap.md and the built binary.

  md2man.py --memsnap BIN --docs docs/memsnap.md [--command NAME] -o PAGE

Without --command: memsnap(1), from the page's opening (up to the first
"## memsnap NAME") and the command list of `memsnap help`.  With it:
memsnap-NAME(1), from that section: its first code block is the SYNOPSIS,
the rest the DESCRIPTION, and OPTIONS come from `memsnap NAME --help`, the
table that also parses them, so the page lists every option the binary
takes.  The one-line summaries are memsnap.c's, as `memsnap help` prints
them.  A command with a section but not in `memsnap help` (or the other
way round, for the command list) is an error: the two must not drift.

It reads the Markdown the docs use and nothing more: paragraphs, **bold**,
`code`, [links](target), "- " lists, ``` code blocks, ## and ### headings,
and pipe tables (two columns become a tagged list, which reads at any
width; more become a tbl(1) table).  What it would render wrongly is an
error naming the line: another heading level, an indented code block, an
unclosed code block, ` or **, a table without its | --- | line or with rows
of different lengths.  Any other line is text.
"""
import argparse
import datetime
import os
import re
import subprocess
import sys

SECTION = re.compile(r"^## memsnap (\S+)\s*$")


def fail(msg):
    sys.exit("md2man: " + msg)


def run_help(memsnap, *args):
    r = subprocess.run([memsnap, *args], capture_output=True, text=True)
    if r.returncode != 0:
        fail("'%s %s' exited %d: %s" % (memsnap, " ".join(args), r.returncode, r.stderr.strip()))
    return r.stdout


# ---------------------------------------------------------------- roff text

def esc_char(c, code):
    if c == "\\":
        return "\\e"
    if code and c == "-":
        return "\\-"
    if code and c == "'":
        return "\\(aq"
    if code and c == "`":
        return "\\(ga"
    if ord(c) > 126:
        return "\\[u%04X]" % ord(c)
    return c


def esc(text, code=False):
    return "".join(esc_char(c, code) for c in text)


class Inline:
    """Markdown inline text to roff: **bold**, `code` (bold, literal), links."""

    def __init__(self, docdir):
        self.docdir = docdir

    def link_target(self, target):
        # a link between the docs: where it is installed, without the anchor
        path = target.split("#", 1)[0]
        if re.match(r"^[a-z]+://", target) or not path:
            return target
        if self.docdir:
            return os.path.join(self.docdir, "docs", path)
        return "docs/" + path

    def code(self, text):
        if self.docdir:
            text = re.sub(r"^docs/(\S+\.md)$", lambda m: os.path.join(self.docdir, "docs", m.group(1)), text)
        return text

    def __call__(self, text):
        out = []
        bold = False
        i = 0
        while i < len(text):
            if text.startswith("**", i):
                bold = not bold
                out.append("\\fB" if bold else "\\fR")
                i += 2
            elif text[i] == "`":
                j = text.find("`", i + 1)
                if j < 0:
                    fail("unclosed ` in: %s" % text)
                lit = esc(self.code(text[i + 1:j]), code=True)
                out.append(lit if bold else "\\fB" + lit + "\\fR")
                i = j + 1
            elif text[i] == "[":
                m = re.match(r"\[([^\]]+)\]\(([^)]+)\)", text[i:])
                if not m:
                    out.append("[")
                    i += 1
                    continue
                out.append("%s (%s)" % (self(m.group(1)), esc(self.link_target(m.group(2)), code=True)))
                i += m.end()
            else:
                out.append(esc_char(text[i], False))
                i += 1
        if bold:
            fail("unclosed ** in: %s" % text)
        return "".join(out)


def text_line(roff):
    """A line of running text: one that roff cannot take for a request."""
    roff = roff.strip()
    return "\\&" + roff if roff[:1] in (".", "'") else roff


def macro_arg(roff):
    return '"%s"' % roff.replace('"', '\\(dq')


# ---------------------------------------------------------------- Markdown blocks

def split_row(line):
    cells = line.strip()
    if not (cells.startswith("|") and cells.endswith("|")):
        return None
    # a | inside `code` is text, not a cell boundary
    parts, cur, code = [], "", False
    for c in cells[1:-1]:
        if c == "`":
            code = not code
        if c == "|" and not code:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += c
    parts.append(cur.strip())
    return parts


def render_table(rows, inline, out):
    header, body = rows[0], rows[2:]
    if len(header) == 2:
        # the header row as the list's first, in italics: the columns' names
        out += [".TP", "\\fI%s\\fR" % esc(header[0]), "\\fI%s\\fR" % esc(header[1])]
        for r in body:
            out += [".TP", text_line(inline(r[0])), text_line(inline(r[1]))]
        return
    out += [".PP", ".TS", "tab(\x07);", " ".join(["lb"] * (len(header) - 1)) + " lbx",
            " ".join(["l"] * (len(header) - 1)) + " lx."]
    out.append("\x07".join(text_line(inline(c)) for c in header))
    for r in body:
        out.append("\x07".join("T{\n%s\nT}" % text_line(inline(c)) for c in r))
    out.append(".TE")


def render(lines, first_line, inline, out):
    """Markdown lines to roff lines, appended to out."""
    i = 0
    para = []

    def flush():
        if para:
            out.extend([".PP", text_line(inline(" ".join(p.strip() for p in para)))])
            para.clear()

    while i < len(lines):
        line = lines[i]
        where = "docs line %d" % (first_line + i)
        if line.startswith("```"):
            flush()
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            if j == len(lines):
                fail("%s: code block not closed" % where)
            out += [".PP", ".RS 4", ".nf"]
            out += ["\\&" + esc(l.expandtabs(8), code=True) for l in lines[i + 1:j]]
            out += [".fi", ".RE"]
            i = j + 1
        elif line.startswith("### "):
            flush()
            out.append(".SS " + macro_arg(inline(line[4:].strip())))
            i += 1
        elif line.startswith("#"):
            fail("%s: a heading this converter does not place: %s" % (where, line))
        elif line.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                row = split_row(lines[i])
                if row is None:
                    fail("docs line %d: table row without closing |" % (first_line + i))
                rows.append(row)
                i += 1
            if len(rows) < 2 or not all(re.fullmatch(r":?-+:?", c) for c in rows[1]):
                fail("%s: a table needs a header and a | --- | line" % where)
            if any(len(r) != len(rows[0]) for r in rows):
                fail("%s: table rows of different lengths" % where)
            render_table(rows, inline, out)
        elif line.startswith("- "):
            flush()
            item = [line[2:]]
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip():
                item.append(lines[i])
                i += 1
            out += [".IP \\(bu 2", text_line(inline(" ".join(p.strip() for p in item)))]
        elif not line.strip():
            flush()
            i += 1
        else:
            if line.startswith("    ") and not para:
                fail("%s: indented code block (use ```)" % where)
            para.append(line)
            i += 1
    flush()


# ---------------------------------------------------------------- --help

def help_sections(text):
    """`memsnap X --help`: {"usage": [...], "options": [...], ...} by heading."""
    secs = {"usage": []}
    name = "usage"
    for line in text.splitlines():
        m = re.fullmatch(r"([a-z][a-z ]*):", line)
        if m:
            name = m.group(1)
            secs[name] = []
        elif not line.strip():
            if not name.startswith("after "):
                name = "after " + name
            secs.setdefault(name, [])
        else:
            secs.setdefault(name, []).append(line)
    return secs


def parse_options(lines):
    """The options: list of options_help(): [(tag, [help lines], [extra lines])]."""
    opts = []
    col = None
    for line in lines:
        m = re.match(r"^ +((?:-\S, )?--\S+(?: \S+)?)( {2,}|$)", line)
        if m and (line.startswith("  -") or line.startswith("      --")):
            tag = m.group(1).strip()
            rest = line[m.end():]
            col = m.end() if rest else None
            opts.append((tag, [rest] if rest else [], []))
            continue
        if not opts:
            fail("an options line before any option: %r" % line)
        indent = len(line) - len(line.lstrip())
        if col is None:
            col = indent
        if indent == col:
            opts[-1][1].append(line.strip())
        else:
            opts[-1][2].append(line[col:] if indent > col else line.strip())
    return opts


def option_tag(tag):
    names, _, arg = tag.partition(" ")
    if ", --" in tag:
        short, _, rest = tag.partition(", ")
        names, _, arg = rest.partition(" ")
        names = short + ", " + names
    parts = ["\\fB%s\\fR" % esc(n.strip(), code=True) for n in names.split(",")]
    s = ", ".join(parts)
    if arg:
        s += " \\fI%s\\fR" % esc(arg, code=True)
    return s


def render_options(help_text, out):
    secs = help_sections(help_text)
    if "options" not in secs:
        fail("no 'options:' in the --help output")
    for tag, words, extra in parse_options(secs["options"]):
        out += [".TP", option_tag(tag), text_line(esc(" ".join(words)))]
        if extra:
            out += [".RS", ".PD 0"]
            for e in extra:
                m = re.match(r"^\s*(\S+)\s{2,}(.*)$", e)
                if m:
                    out += [".TP 10", "\\fB%s\\fR" % esc(m.group(1), code=True), text_line(esc(m.group(2)))]
                else:
                    out += [".IP", text_line(esc(e))]
            out += [".PD", ".RE"]


def commands(help_text):
    secs = help_sections(help_text)
    rows = []
    for line in secs.get("commands", []):
        m = re.match(r"^  (\S+)\s+(.*)$", line)
        if m:
            rows.append((m.group(1), m.group(2)))
    if not rows:
        fail("no commands in 'memsnap help'")
    return rows


# ---------------------------------------------------------------- pages

def th(title, date, version):
    return ['.\\" Written by scripts/md2man.py from docs/memsnap.md and memsnap --help; do not edit.',
            ".TH %s 1 %s %s %s" % (title, date, macro_arg("memsnap " + version), macro_arg("memsnap manual")),
            # no hyphens and a ragged right edge: options and paths are
            # copied from a man page, and stay whole and unstretched
            ".nh", ".ad l"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--memsnap", required=True)
    ap.add_argument("--docs", required=True)
    ap.add_argument("--command")
    ap.add_argument("--version", required=True)
    ap.add_argument("--docdir", help="where the docs are installed (DATADIR/doc/memsnap)")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()

    # SOURCE_DATE_EPOCH (reproducible builds), else when the docs changed
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or os.stat(a.docs).st_mtime
    date = datetime.datetime.fromtimestamp(int(float(epoch)), datetime.timezone.utc).strftime("%Y-%m-%d")

    doc = open(a.docs, encoding="utf-8").read().splitlines()
    # every "## " heading ends a section; "## memsnap NAME" starts a command's
    heads = [i for i, l in enumerate(doc) if l.startswith("## ")]
    starts = [i for i in heads if SECTION.match(doc[i])]
    cmds = commands(run_help(a.memsnap, "help"))
    summary = dict(cmds)
    inline = Inline(a.docdir)
    out = []

    if a.command is None:
        intro = doc[:heads[0]] if heads else doc
        if intro and intro[0].startswith("# "):
            intro = intro[1:]
        helptext = run_help(a.memsnap, "help")
        secs = help_sections(helptext)
        tagline = " ".join(l.strip() for l in secs.get("after usage", []) if l.strip())
        out += th("MEMSNAP", date, a.version)
        out += [".SH NAME", "memsnap \\- " + esc(tagline[:1].lower() + tagline[1:].rstrip("."))]
        out += [".SH SYNOPSIS", ".nf"]
        out += ["\\&" + esc(re.sub(r"^(usage:)?\s+", "", l), code=True) for l in secs["usage"] if l.strip()]
        out += [".fi", ".SH DESCRIPTION"]
        render(intro, 2, inline, out)
        # the page's other sections, those that are about no one command
        for i in heads:
            if i not in starts:
                end = min([h for h in heads if h > i] + [len(doc)])
                out.append(".SS " + macro_arg(inline(doc[i][3:].strip())))
                render(doc[i + 1:end], i + 2, inline, out)
        out.append(".SH COMMANDS")
        documented = {SECTION.match(doc[i]).group(1) for i in starts}
        for name, what in cmds:
            ref = " (see \\fBmemsnap\\-%s\\fR(1))" % esc(name, code=True) if name in documented else ""
            out += [".TP", "\\fB%s\\fR" % esc(name, code=True), text_line(esc(what) + ref)]
        see = ["\\fBmemsnap\\-%s\\fR(1)" % esc(n, code=True) for n in sorted(documented)]
    else:
        idx = [i for i in starts if SECTION.match(doc[i]).group(1) == a.command]
        if not idx:
            fail("no '## memsnap %s' section in %s" % (a.command, a.docs))
        if a.command not in summary:
            fail("'%s' has a section in %s but is not in 'memsnap help'" % (a.command, a.docs))
        begin = idx[0] + 1
        end = min([i for i in heads if i > idx[0]] + [len(doc)])
        body = doc[begin:end]
        # the section's first code block is its synopsis
        k = 0
        while k < len(body) and not body[k].strip():
            k += 1
        synopsis = []
        if k < len(body) and body[k].startswith("```"):
            j = k + 1
            while j < len(body) and not body[j].startswith("```"):
                j += 1
            synopsis = body[k + 1:j]
            body = body[j + 1:]
            begin += j + 1
        else:
            synopsis = [re.sub(r"^(usage:)?\s+", "", l) for l in help_sections(run_help(a.memsnap, a.command, "--help"))["usage"] if l.strip()]
        title = "MEMSNAP-" + a.command.upper()
        out += th(title, date, a.version)
        out += [".SH NAME", "memsnap\\-%s \\- %s" % (esc(a.command, code=True), esc(summary[a.command]))]
        out += [".SH SYNOPSIS", ".nf"] + ["\\&" + esc(l, code=True) for l in synopsis] + [".fi"]
        out.append(".SH DESCRIPTION")
        render(body, begin + 1, inline, out)
        out.append(".SH OPTIONS")
        render_options(run_help(a.memsnap, a.command, "--help"), out)
        others = {SECTION.match(doc[i]).group(1) for i in starts} - {a.command}
        see = ["\\fBmemsnap\\fR(1)"] + ["\\fBmemsnap\\-%s\\fR(1)" % esc(n, code=True) for n in sorted(others)]

    out += [".SH SEE ALSO", ",\n".join(see)]
    if a.docdir:
        out += [".PP", "The full documentation, with the tutorial and the database reference: \\fB%s\\fR." %
                esc(a.docdir, code=True)]
    if any(l.startswith(".TS") for l in out):
        out.insert(0, "'\\\" t")
    with open(a.output, "w", encoding="ascii") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
