/*
 * The subcommands of memsnap, dispatched from one table in memsnap.c.
 *
 * How to add a command:
 *  1. Write `int cmd_NAME(int argc, char **argv)` in the folder of its stage,
 *     in a file of its own (capture/cmd_capture.c).  argv[0] is "NAME".  Its
 *     options are a table (common/options.h) that options_parse reads argv
 *     with and --help is printed from; it returns one of the EXIT_ codes
 *     below (EXIT_USAGE when options_parse refuses the command line).
 *  2. Declare it below, alphabetically.
 *  3. Add `{ "NAME", cmd_NAME, FLAGS, "one line" }` to the table in
 *     memsnap.c, alphabetically; FLAGS are the preconditions run_builtin
 *     checks before calling it.
 *  4. Document it in docs/memsnap.md and give it an end-to-end test in tests/e2e.
 */
#ifndef MEMSNAP_BUILTIN_H
#define MEMSNAP_BUILTIN_H

enum exit_code {
        EXIT_OK = 0,
        EXIT_FAIL = 1,  /* the job failed; a message said what and why */
        EXIT_USAGE = 2, /* bad command line */
        EXIT_LEAK = 3,  /* diff or watch --fail-on-leak found new definite leaks */
};

enum builtin_flags {
        NEED_PROC = 1 << 0, /* reads /proc of another process: /proc must be mounted */
};

int cmd_analyze(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_snap(int argc, char **argv);
int cmd_stacks(int argc, char **argv);
int cmd_trend(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_why(int argc, char **argv);

#endif
