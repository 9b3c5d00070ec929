/* Implementation of pid_operand.h: the one process id a command takes. */
#include "pid_operand.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "pid_by_name.h"
#include "proc_read.h"

/* "'python3' is not a process id; capture takes one (pidof python3: 1234 5678)" */
static int not_a_pid(const char *command, const char *arg)
{
        pid_t pids[8];
        _cleanup_strbuf_ struct strbuf list = STRBUF_INIT;
        size_t n = pid_by_name_find(arg, pids, ELEMENTSOF(pids));
        const char *name = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;

        if (n == 0)
                return log_error_errno(EINVAL, "'%s' is not a process id; %s takes one (no process is named '%s')",
                                       arg, command, name);
        for (size_t i = 0; i < MIN(n, ELEMENTSOF(pids)); i++)
                strbuf_addf(&list, " %d", (int)pids[i]);
        if (n > ELEMENTSOF(pids))
                strbuf_addf(&list, " and %zu more", n - ELEMENTSOF(pids));
        return log_error_errno(EINVAL, "'%s' is not a process id; %s takes one (pidof %s:%s)", arg, command, name,
                               strbuf_str(&list));
}

int pid_operand_parse(const char *command, int argc, char **argv, int first, pid_t *pid)
{
        if (first >= argc)
                return log_error_errno(EINVAL, "%s needs a process id: memsnap %s PID (see 'memsnap %s --help')",
                                       command, command, command);
        if (first + 1 != argc)
                return log_error_errno(EINVAL, "%s takes one process id, not '%s' and '%s'%s", command, argv[first],
                                       argv[first + 1], first + 2 < argc ? " and more" : "");
        const char *arg = argv[first];
        if (proc_read_parse_pid(arg, pid) == 0)
                return 0;
        /* "12x", "0", "99999999": a number mistyped; a word is a process name */
        if (arg[0] >= '0' && arg[0] <= '9')
                return log_error_errno(EINVAL, "invalid process id '%s': expected a number from 1 to %d", arg,
                                       PROC_PID_MAX_LIMIT);
        return not_a_pid(command, arg);
}
