/*
 * memsnap's entry point: the command table and the checks that every
 * command shares (preconditions before, write errors on stdout after).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "builtin.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/suggest.h"
#include "config.h"
#include "revision.h"
#include "schema/schema_version.h"

struct builtin {
        const char *name;
        int (*fn)(int argc, char **argv);
        unsigned flags;
        const char *summary;
};

/* Alphabetical.  See builtin.h for how to add one. */
static const struct builtin builtins[] = {
        { "analyze", cmd_analyze, 0, "turn a core file into a SQLite database of its memory" },
        { "capture", cmd_capture, NEED_PROC, "snapshot a live process into an ELF core file" },
        { "diff", cmd_diff, 0, "compare two snapshot databases: what was added, what leaked" },
        { "query", cmd_query, 0, "run read-only SQL on a snapshot database" },
        { "report", cmd_report, 0, "print a named report of a snapshot database" },
        { "snap", cmd_snap, NEED_PROC, "capture and analyze a live process in one step, by pid or name" },
        { "stacks", cmd_stacks, NEED_PROC, "print every thread's backtrace of a live process" },
        { "trend", cmd_trend, 0, "follow snapshots of one process over time: born, died, steady growth" },
        { "watch", cmd_watch, NEED_PROC, "snapshot a live process periodically: leaks and growth as they come" },
        { "why", cmd_why, 0, "show what keeps a block alive: the chain from a root, or its leak" },
};

static void usage(FILE *f)
{
        fprintf(f, "usage: memsnap COMMAND [OPTIONS] [ARGS]\n"
                   "       memsnap COMMAND --help\n"
                   "       memsnap --version\n\n"
                   "Look inside a Linux process's memory: capture, analyze, query, diff.\n\n"
                   "commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(builtins); i++)
                fprintf(f, "  %-10s %s\n", builtins[i].name, builtins[i].summary);
        fprintf(f, "  %-10s %s\n", "help", "show this list, or a command's help");
        fprintf(f, "  %-10s %s\n", "version", "print memsnap's version, git revision and schema version");
        fprintf(f, "\nA typical session:\n"
                   "  memsnap capture 1234 -o a.core      # snapshot process 1234\n"
                   "  memsnap analyze a.core -o a.db      # core -> SQLite\n"
                   "  memsnap report a.db summary         # what is in there\n"
                   "  memsnap diff a.db b.db              # what leaked between two snapshots\n"
                   "  memsnap watch myserver --every 10m  # a snapshot every 10 minutes, leaks as they come\n"
                   "  memsnap trend *.db                  # what grows steadily over many snapshots\n"
                   "\nExit status: 0 success, 1 failure (a message says why), 2 bad usage,\n"
                   "3 new definite leaks (diff or watch --fail-on-leak).\n");
}

/* What a bug report needs: the release, the commit it was built from
 * (none from a tarball) and the database schema it writes and reads. */
static void print_version(void)
{
        printf("memsnap %s\n", MEMSNAP_VERSION);
        if (MEMSNAP_REVISION[0] != '\0')
                printf("git revision %s\n", MEMSNAP_REVISION);
        else
                printf("git revision unknown (not built from a git checkout)\n");
        printf("database schema version %d\n", SCHEMA_VERSION);
}

static const struct builtin *find_builtin(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(builtins); i++)
                if (strcmp(builtins[i].name, name) == 0)
                        return &builtins[i];
        return NULL;
}

/* "'captur' is not a memsnap command; did you mean 'capture'?" */
static void unknown_command(const char *name)
{
        const char *names[ELEMENTSOF(builtins) + 3];
        char near[128];
        size_t n = 0;

        if (name[0] == '-') {
                log_error("unknown option '%s': options come after the command (memsnap COMMAND [OPTIONS])", name);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(builtins); i++)
                names[n++] = builtins[i].name;
        names[n++] = "help";
        names[n++] = "version";
        names[n] = NULL;
        if (suggest_nearest(name, names, near, sizeof(near)) > 0)
                log_error("'%s' is not a memsnap command; did you mean %s?", name, near);
        else
                log_error("'%s' is not a memsnap command; see 'memsnap help'", name);
}

static int check_preconditions(const struct builtin *b)
{
        if (b->flags & NEED_PROC) {
                struct statfs sfs;
                if (statfs("/proc/self", &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
                        log_error("'%s' needs /proc mounted: /proc/self is not a procfs", b->name);
                        return EXIT_FAIL;
                }
        }
        return EXIT_OK;
}

static bool wants_help(int argc, char **argv)
{
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
                        return true;
        return false;
}

static int run_builtin(const struct builtin *b, int argc, char **argv)
{
        /* Help needs nothing the command needs: answer it even without /proc. */
        if (!wants_help(argc, argv)) {
                int status = check_preconditions(b);
                if (status != EXIT_OK)
                        return status;
        }
        return b->fn(argc, argv);
}

/* A full disk or a closed pipe on stdout must be reported, not swallowed. */
static int check_stdout(int status)
{
        errno = 0;
        if (fflush(stdout) != 0 || ferror(stdout)) {
                if (errno == EPIPE)
                        return status;
                log_error_errno(errno ? errno : EIO, "cannot write to standard output: %m");
                return status == EXIT_OK ? EXIT_FAIL : status;
        }
        return status;
}

static int dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
        /* A reader that goes away (| head) ends us quietly, as it does cat. */
        signal(SIGPIPE, SIG_DFL);
        return check_stdout(dispatch(argc, argv));
}

static int dispatch(int argc, char **argv)
{
        if (getenv("MEMSNAP_DEBUG"))
                log_set_level(LOG_LEVEL_DEBUG);

        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }

        const char *cmd = argv[1];
        if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
                print_version();
                return EXIT_OK;
        }
        if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
                usage(stdout);
                return EXIT_OK;
        }
        if (strcmp(cmd, "help") == 0) {
                if (argc < 3) {
                        usage(stdout);
                        return EXIT_OK;
                }
                const struct builtin *b = find_builtin(argv[2]);
                if (!b) {
                        unknown_command(argv[2]);
                        return EXIT_USAGE;
                }
                char *help_argv[] = { (char *)b->name, (char *)"--help", NULL };
                return run_builtin(b, 2, help_argv);
        }

        const struct builtin *b = find_builtin(cmd);
        if (!b) {
                unknown_command(cmd);
                return EXIT_USAGE;
        }
        return run_builtin(b, argc - 1, argv + 1);
}
