#!/usr/bin/env python3
"""The layout checker on small trees made for it: a tree that keeps every
rule passes, and each kind of breach is reported, at its file and line.

Each tree is written to a temporary folder (not a git work tree, so the
checker walks it); none is kept in the repository, where the real check
would find its deliberate breaches.
"""

import io
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, 'check_includes.py')
sys.path.insert(0, HERE)
import check_includes  # noqa: E402

RULES = textwrap.dedent('''\
    # rules

    | folder | holds | may include | must not include |
    | --- | --- | --- | --- |
    | `./` | main | `base/` | `front/**` |
    | `base/` | shared | nothing | `front/**`, `back/**` |
    | `front/` | the front | `base/`, `gen.h` | `back/**`: never |
    | `back/` | the back | `base/`, `front/front.h` | |
    | `back/walk/` | the walker | `back/`, `base/` | `front/**` |
    | `checks/**` | tests | `*` | |

    | generated header | made by |
    | --- | --- |
    | `gen.h` | the build |

    | layer | files | what |
    | --- | --- | --- |
    | low | `back/walk/low.*` | first |
    | mid | `back/walk/mid.c` | then |
    | top | `back/walk/top.c` | last |
    ''')

# A tree that keeps every rule.
GOOD = {
    'rules/architecture.md': RULES + '\nSee [the walker](../back/walk/top.c) and back/walk/low.c.\n',
    'main.c': '#include "base/util.h"\nint main(void) { return util_zero(); }\n',
    'base/util.h': 'int util_zero(void);\n',
    'base/util.c': '#include "util.h"\nint util_zero(void)\n{\n        return 0;\n}\n',
    'front/front.h': '#include "base/util.h"\nint front_run(void);\n',
    'front/front.c': ('#include "front.h"\n#include "gen.h"\n'
                      '/* front_run: base/util.c does the work; checks/t_*.c test it */\n'
                      'int front_run(void)\n{\n        return util_zero();\n}\n'),
    'back/back.c': '#include "front/front.h"\nint back_run(void)\n{\n        return front_run();\n}\n',
    'back/walk/low.h': 'int low_read(void);\n',
    'back/walk/low.c': '#include "low.h"\nint low_read(void)\n{\n        return 1;\n}\n',
    'back/walk/mid.c': ('#include "low.h"\nint mid_step(int x,\n             int y)\n{\n'
                        '        return low_read() + x + y;\n}\n'),
    'back/walk/top.c': ('#include "low.h"\nint mid_step(int x, int y);\n'
                        'int top_walk(void)\n{\n        return mid_step(low_read(), 0);\n}\n'),
    'checks/t_front.c': '#include "front/front.h"\n#include "back/walk/low.h"\n',
}


class Tree:
    """A fixture tree on disk, GOOD with some files changed."""

    def __init__(self, changes=None):
        self.dir = tempfile.TemporaryDirectory(prefix='layout-fixture-')
        files = dict(GOOD)
        files.update(changes or {})
        for path, text in files.items():
            if text is None:
                continue
            full = os.path.join(self.dir.name, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, 'w') as f:
                f.write(text)

    def check(self):
        out = io.StringIO()
        rc = check_includes.run(self.dir.name, 'rules/architecture.md', out)
        return rc, out.getvalue()

    def close(self):
        self.dir.cleanup()


class CheckerTest(unittest.TestCase):
    def check(self, changes):
        tree = Tree(changes)
        try:
            return tree.check()
        finally:
            tree.close()

    def assertReports(self, changes, *lines):
        rc, out = self.check(changes)
        self.assertEqual(rc, 1, out)
        for line in lines:
            self.assertIn(line, out)
        return out

    def test_good_tree_passes(self):
        rc, out = self.check({})
        self.assertEqual(rc, 0, out)
        self.assertIn('layout: ok', out)

    def test_script_exit_status(self):
        tree = Tree({'base/bad.c': '#include "front/front.h"\n'})
        try:
            p = subprocess.run([sys.executable, CHECKER, '--root', tree.dir.name,
                                '--doc', 'rules/architecture.md'],
                               capture_output=True, text=True)
        finally:
            tree.close()
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn('base/bad.c:1: base/ may not include front/front.h', p.stdout)

    def test_function_named_after_another_file(self):
        self.assertReports({'back/walk/mid.c': '#include "low.h"\nint low_step(void)\n{\n        return low_read();\n}\n'},
                           'back/walk/mid.c:2: low_step does not begin with its file\'s name, mid_')

    def test_function_named_after_its_object(self):
        # proc_read.c may export proc_stat_read when proc_read.h defines struct proc_stat
        rc, out = self.check({'base/util.h': 'struct util_box {\n        int x;\n};\nint util_zero(void);\n',
                              'base/box.c': '#include "util.h"\nint util_box_open(void)\n{\n        return 0;\n}\n',
                              'base/util.c': ('#include "util.h"\nint util_zero(void)\n{\n        return 0;\n}\n'
                                              'int util_box_fill(void)\n{\n        return 1;\n}\n')})
        self.assertIn('base/box.c:2: util_box_open does not begin', out)
        self.assertNotIn('util_box_fill', out)

    def test_forbidden_include_names_the_rule(self):
        self.assertReports({'front/peek.c': '\n#include "back/walk/low.h"\n'},
                           'front/peek.c:2: front/ may not include back/walk/low.h '
                           '(rule: front/ may include base/, gen.h; must not include back/**)')

    def test_include_outside_the_allowed_list(self):
        # back/ may include front/front.h only, not every file of front/.
        self.assertReports({'front/other.h': '', 'back/b2.c': '#include "front/other.h"\n'},
                           'back/b2.c:1: back/ may not include front/other.h')

    def test_top_level_file_rule(self):
        self.assertReports({'main.c': '#include "front/front.h"\n'},
                           'main.c:1: ./ may not include front/front.h')

    def test_same_folder_spelled_with_path(self):
        self.assertReports({'front/front.c': '#include "front/front.h"\n'},
                           'front/front.c:1: "front/front.h" is in the same folder: include it bare')

    def test_bare_include_of_another_folder(self):
        self.assertReports({'back/back.c': '#include "util.h"\n'},
                           'back/back.c:1: "util.h" is no file of back/')

    def test_relative_and_missing_includes(self):
        self.assertReports({'back/back.c': '#include "../base/util.h"\n#include "base/none.h"\n'},
                           'back/back.c:1: "../base/util.h": spell includes from the top',
                           'back/back.c:2: "base/none.h" names no file of the repository')

    def test_folder_without_rule(self):
        self.assertReports({'extra/x.c': 'int x;\n'},
                           'extra/x.c: no row of the folder table')

    def test_cycle_through_calls(self):
        out = self.assertReports({
            'base/a.c': 'int b_two(void);\nint a_one(void)\n{\n        return b_two();\n}\n',
            'base/b.c': 'int a_one(void);\nint b_two(void)\n{\n        return a_one();\n}\n',
        }, 'base/: cycle between a.c, b.c')
        self.assertIn('base/a.c:4 uses b_two (base/b.c:2)', out)
        self.assertIn('base/b.c:4 uses a_one (base/a.c:2)', out)

    def test_cycle_through_headers(self):
        self.assertReports({
            'base/h1.h': '#include "h2.h"\n',
            'base/h2.h': '#include "h1.h"\n',
        }, 'base/: cycle between h1.h, h2.h', 'base/h1.h:1 includes base/h2.h')

    def test_no_cycle_from_a_shared_header(self):
        # A header that declares its users' functions is not their user.
        rc, out = self.check({
            'base/all.h': 'int p_one(void);\nint q_one(void);\n',
            'base/p.c': '#include "all.h"\nint p_one(void)\n{\n        return q_one();\n}\n',
            'base/q.c': '#include "all.h"\nint q_one(void)\n{\n        return 0;\n}\n',
        })
        self.assertEqual(rc, 0, out)

    def test_static_functions_and_comments_make_no_edge(self):
        rc, out = self.check({
            'base/p.c': ('static int q_one(void)\n{\n        return 0;\n}\n'
                         '/* p_one calls q_two, in words only: "q_two" */\n'
                         'int p_one(void)\n{\n        return q_one();\n}\n'),
            'base/q.c': 'int q_two(void)\n{\n        return p_one();\n}\nint p_one(void);\n',
        })
        self.assertEqual(rc, 0, out)

    def test_layer_inversion(self):
        self.assertReports({
            'back/walk/low.c': ('#include "low.h"\nint top_walk(void);\nint low_read(void)\n{\n'
                                '        return top_walk;\n}\n'),
        }, 'back/walk/low.c: layer "low" uses layer "top", which comes after it: '
           'back/walk/low.c:5 uses top_walk (back/walk/top.c:3)')

    def test_file_in_no_layer(self):
        self.assertReports({'back/walk/stray.c': 'int stray;\n'},
                           'back/walk/stray.c: in no layer of the table for back/walk/')

    def test_layer_naming_no_file(self):
        self.assertReports({'back/walk/mid.c': None},
                           'rules/architecture.md:19: layer mid names back/walk/mid.c, which matches no file')

    def test_rule_both_allowing_and_denying(self):
        self.assertReports({'rules/architecture.md': RULES.replace(
            "| `front/` | the front | `base/`, `gen.h` |", "| `front/` | the front | `base/`, `back/walk/`, `gen.h` |")},
            'rules/architecture.md:7: front/ both may and must not include back/walk/ (back/**)')

    def test_dangling_path_in_comment(self):
        self.assertReports({'front/front.c': GOOD['front/front.c'] + '/* as back/walk/gone.c does */\n'},
                           'front/front.c:8: names back/walk/gone.c, which is no file or folder')

    def test_dangling_path_in_document(self):
        self.assertReports({'rules/notes.md': 'Read rules/missing.md and base/util.c.\n'},
                           'rules/notes.md:1: names rules/missing.md')

    def test_placeholder_must_still_fit(self):
        rc, out = self.check({'rules/notes.md': 'One file per test: checks/t_NAME.c.\n'})
        self.assertEqual(rc, 0, out)
        self.assertReports({'rules/notes.md': 'One file per test: checks/x_NAME.c.\n'},
                           'rules/notes.md:1: names checks/x_NAME.c')

    def test_broken_markdown_link(self):
        self.assertReports({'rules/notes.md': 'See [rules](architecture.md) and [x](gone.md).\n'},
                           'rules/notes.md:1: links to gone.md, which does not exist')

    def test_foreign_note_cited(self):
        note = 'DES' + 'IGN.md'
        self.assertReports({'base/util.c': GOOD['base/util.c'] + '/* see %s */\n' % note},
                           'base/util.c:6: cites %s, which is not in this repository' % note)

    def test_short_folder_row(self):
        self.assertReports({'rules/architecture.md': RULES.replace(
            "| `back/` | the back | `base/`, `front/front.h` | |", "| `back/` | `base/` |")},
            'rules/architecture.md:8: a folder row has 4 cells')

    def test_missing_rules(self):
        self.assertReports({'rules/architecture.md': '# no tables\n'},
                           'rules/architecture.md: no folder table')


if __name__ == '__main__':
    unittest.main(verbosity=2)
