"""Checks a report printed in a pipe (tab-separated, the default there)
against the same report as JSON and the section names of its SQL file:
every section opens with a "# NAME" line, then a header row, then its rows,
a blank line between sections.

usage: report_tsv.py REPORT.tsv REPORT.json REPORT.sql
Prints what differs and exits 1, or exits 0.
"""
import json
import re
import sys


def unescape(v):
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(m.group(1), m.group(0)), v)


def same(text, value):
    if value is None:
        return text == ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(text) == float(value)
        except ValueError:
            return False
    return unescape(text) == str(value)


def main():
    tsv = open(sys.argv[1]).read()
    doc = json.load(open(sys.argv[2]))
    sql = open(sys.argv[3]).read()
    sections = re.findall(r"^-- section: (\S+)", sql, re.M)
    # a section marked "-- empty: omit" is left out when it has no rows: then neither shows it
    optional = set(re.findall(r"^-- section: (\S+)\n(?:--.*\n)*?-- empty: omit$", sql, re.M))
    if optional:
        sections = [s for s in sections if s not in optional or s in json.load(open(sys.argv[2]))]
    problems = []

    blocks = [b.split("\n") for b in tsv.rstrip("\n").split("\n\n")]
    titles = [b[0][2:] if b[0].startswith("# ") else None for b in blocks]
    if titles != sections:
        problems.append("titles %s, the SQL's sections %s" % (titles, sections))
    if list(doc.keys()) != sections:
        problems.append("json keys %s, the SQL's sections %s" % (list(doc.keys()), sections))
    for block, title in zip(blocks, titles):
        if title not in doc:
            continue
        header = block[1].split("\t") if len(block) > 1 else []
        rows = [line.split("\t") for line in block[2:]]
        objs = doc[title]
        if len(rows) != len(objs):
            problems.append("%s: %d rows, json has %d" % (title, len(rows), len(objs)))
            continue
        if objs and header != list(objs[0].keys()):
            problems.append("%s: header %s, json keys %s" % (title, header, list(objs[0].keys())))
            continue
        for row, obj in zip(rows, objs):
            if len(row) != len(header) or not all(same(t, v) for t, v in zip(row, obj.values())):
                problems.append("%s: row %s, json %s" % (title, row, obj))
                break
    for p in problems:
        print(p)
    return 1 if problems else 0


sys.exit(main())
