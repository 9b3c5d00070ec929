/* Implementation of pid_operand.h: the one target a command takes, by pid or by name. */
#include "pid_operand.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/text_escape.h"
#include "pid_by_name.h"
#include "proc_read.h"

static const char *last_component(const char *name)
{
        const char *slash = strrchr(name, '/');
        return slash ? slash + 1 : name;
}

/* The boot time in seconds since the epoch: /proc/stat's "btime" line (proc(5)). */
static time_t boot_time(void)
{
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (proc_read_at(AT_FDCWD, "/proc/stat", &text, &len) < 0)
                return 0;
        const char *p = strstr(text, "\nbtime ");
        long long t = 0;
        return p && sscanf(p + 7, "%lld", &t) == 1 ? (time_t)t : 0;
}

/* One row of the candidates' table: pid, user, start time (UTC), command line. */
static void candidate_print(pid_t pid, time_t boot, long ticks)
{
        char dir[64], user[32] = "?", started[32] = "?";
        _cleanup_free_ char *cmdline = NULL;
        struct stat st;
        struct proc_stat ps;
        size_t len = 0;

        snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
        /* /proc/PID belongs to the process's effective user (fs/proc/base.c task_dump_owner) */
        if (stat(dir, &st) == 0) {
                struct passwd *pw = getpwuid(st.st_uid);
                if (pw)
                        snprintf(user, sizeof(user), "%s", pw->pw_name);
                else
                        snprintf(user, sizeof(user), "%u", (unsigned)st.st_uid);
        }
        snprintf(dir, sizeof(dir), "/proc/%d/stat", (int)pid);
        if (boot > 0 && ticks > 0 && proc_stat_read(AT_FDCWD, dir, &ps) == 0) {
                time_t t = boot + (time_t)(ps.starttime / (uint64_t)ticks);
                struct tm tm;
                if (gmtime_r(&t, &tm))
                        strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
        }
        snprintf(dir, sizeof(dir), "/proc/%d/cmdline", (int)pid);
        if (proc_read_at(AT_FDCWD, dir, &cmdline, &len) == 0) {
                /* arguments are NUL-separated (proc(5)); a kernel thread has none */
                for (size_t i = 0; i + 1 < len; i++)
                        if (cmdline[i] == '\0')
                                cmdline[i] = ' ';
        }
        fprintf(stderr, "  %7d  %-12s  %-20s  ", (int)pid, user, started);
        if (cmdline && len > 0)
                text_escape_terminal_write(stderr, cmdline);
        else {
                char comm[64];
                proc_read_comm(pid, comm, sizeof(comm));
                fputc('[', stderr);
                text_escape_terminal_write(stderr, comm);
                fputc(']', stderr);
        }
        fputc('\n', stderr);
}

/* "'leak' is the name of 2 processes; give one pid:" and the table. */
static int ambiguous(const char *command, const char *name, const pid_t *pids, size_t n)
{
        size_t shown = MIN(n, (size_t)PID_OPERAND_CANDIDATES_MAX);
        time_t boot = boot_time();
        long ticks = sysconf(_SC_CLK_TCK);

        log_error("'%s' is the name of %zu processes; give %s the pid of one:", name, n, command);
        fprintf(stderr, "  %7s  %-12s  %-20s  %s\n", "PID", "USER", "STARTED", "COMMAND");
        for (size_t i = 0; i < shown; i++)
                candidate_print(pids[i], boot, ticks);
        if (n > shown)
                fprintf(stderr, "  ... and %zu more\n", n - shown);
        return -EINVAL;
}

/* A name: the one process that carries it. */
static int by_name(const char *command, const char *arg, pid_t *pid)
{
        pid_t pids[PID_OPERAND_CANDIDATES_MAX];
        size_t n = pid_by_name_find(arg, pids, ELEMENTSOF(pids));

        if (n == 0)
                return log_error_errno(ESRCH, "no process is named '%s' (%s takes a pid or a process name)",
                                       last_component(arg), command);
        if (n > 1)
                return ambiguous(command, last_component(arg), pids, n);
        *pid = pids[0];
        return 0;
}

/* A number that is no process, but a process's name: say how to name it. */
static int number_is_a_name(const char *arg, pid_t pid)
{
        char dir[64];
        pid_t named[1];

        snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
        if (access(dir, F_OK) == 0 || pid_by_name_find(arg, named, ELEMENTSOF(named)) == 0)
                return 0;
        return log_error_errno(ESRCH, "no process has pid %s, but a process is named '%s': write './%s' to take it "
                                      "by name (a target that begins with a digit is a pid)",
                               arg, arg, arg);
}

int pid_operand_parse(const char *command, int argc, char **argv, int first, pid_t *pid)
{
        if (first >= argc)
                return log_error_errno(EINVAL, "%s needs a target: memsnap %s PID|NAME (see 'memsnap %s --help')",
                                       command, command, command);
        if (first + 1 != argc)
                return log_error_errno(EINVAL, "%s takes one process, not '%s' and '%s'%s", command, argv[first],
                                       argv[first + 1], first + 2 < argc ? " and more" : "");
        const char *arg = argv[first];
        pid_t p;
        if (proc_read_parse_pid(arg, &p) == 0) {
                int r = number_is_a_name(arg, p);
                if (r < 0)
                        return r;
                *pid = p;
                return 0;
        }
        /* "12x", "0", "99999999": a number mistyped; a word is a process name */
        if (arg[0] >= '0' && arg[0] <= '9') {
                pid_t named[1];
                if (pid_by_name_find(arg, named, ELEMENTSOF(named)) > 0)
                        return log_error_errno(EINVAL, "invalid process id '%s': a process is named so; write './%s' "
                                                       "to take it by name",
                                               arg, arg);
                return log_error_errno(EINVAL, "invalid process id '%s': expected a number from 1 to %d", arg,
                                       PROC_PID_MAX_LIMIT);
        }
        return by_name(command, arg, pid);
}

int pid_operand_exit(int r)
{
        return r == -ESRCH ? EXIT_FAIL : EXIT_USAGE;
}
