/* Implementation of proc_read.h: whole /proc files, stat fields. */
#include "proc_read.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/io.h"
#include "common/log.h"
#include "common/parse_number.h"

#define PROC_READ_MIN 16384 /* most /proc files fit in one read */

int proc_read_at(int dirfd, const char *name, char **out, size_t *len)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;

        _cleanup_free_ char *buf = NULL;
        size_t cap = 0, n = 0;
        for (;;) {
                /* Room for a read of at least PROC_READ_MIN, and the NUL. */
                if (n + PROC_READ_MIN + 1 > PROC_FILE_MAX)
                        return -EFBIG;
                if (ARRAY_RESERVE(buf, cap, n + PROC_READ_MIN + 1) < 0)
                        return -ENOMEM;
                size_t room = cap - n - 1;
                ssize_t r = io_read_full(fd, buf + n, room);
                if (r < 0)
                        return (int)r;
                n += (size_t)r;
                if ((size_t)r < room)
                        break; /* the end of the file */
        }
        buf[n] = '\0';
        *out = TAKE_PTR(buf);
        *len = n;
        return 0;
}

int proc_read_parse_pid(const char *s, pid_t *pid)
{
        const char *p = s, *end = s + strlen(s);
        uint64_t v;
        if (!parse_number_dec_u64(&p, end, &v) || p != end || v == 0 || v > PROC_PID_MAX_LIMIT)
                return -EINVAL;
        *pid = (pid_t)v;
        return 0;
}

int proc_stat_read(int dirfd, const char *name, struct proc_stat *st)
{
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = proc_read_at(dirfd, name, &text, &len);
        return r < 0 ? r : proc_stat_parse(text, len, st);
}

char proc_read_thread_state(int proc_fd, pid_t tid)
{
        char path[64];
        struct proc_stat st;

        snprintf(path, sizeof(path), "task/%d/stat", (int)tid);
        return proc_stat_read(proc_fd, path, &st) < 0 ? 0 : st.state;
}

void proc_read_comm(pid_t pid, char *buf, size_t size)
{
        char path[64];
        _cleanup_free_ char *text = NULL;
        size_t len;

        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        if (proc_read_at(AT_FDCWD, path, &text, &len) < 0) {
                snprintf(buf, size, "?");
                return;
        }
        /* The kernel ends comm with one '\n' (fs/proc/base.c comm_show); a name may hold more. */
        if (len > 0 && text[len - 1] == '\n')
                text[len - 1] = '\0';
        snprintf(buf, size, "%s", text);
}

int proc_stat_parse(const char *text, size_t len, struct proc_stat *st)
{
        memset(st, 0, sizeof(*st));

        /* comm is whatever the program set, ')' included: the last ')' ends it. */
        const char *open = memchr(text, '(', len);
        const char *close = NULL;
        for (const char *p = text + len; p > text; p--)
                if (p[-1] == ')') {
                        close = p - 1;
                        break;
                }
        if (!open || !close || close < open)
                return -EINVAL;
        size_t clen = (size_t)(close - open - 1);
        if (clen >= sizeof(st->comm))
                clen = sizeof(st->comm) - 1;
        memcpy(st->comm, open + 1, clen);
        st->comm[clen] = '\0';

        /* The fields after comm: state is field 3 of proc(5). */
        size_t rest_len = (size_t)(text + len - (close + 1));
        _cleanup_free_ char *rest = strndup(close + 1, rest_len);
        if (!rest)
                return -ENOMEM;
        char state;
        int ppid, pgrp, session, tty, tpgid;
        unsigned long long flags, minflt, cminflt, majflt, cmajflt, utime, stime;
        long long cutime, cstime, priority, nice, num_threads, itrealvalue;
        unsigned long long starttime;
        int n = sscanf(rest, " %c %d %d %d %d %d %llu %llu %llu %llu %llu %llu %llu %lld %lld %lld %lld %lld %lld %llu",
                       &state, &ppid, &pgrp, &session, &tty, &tpgid, &flags, &minflt, &cminflt, &majflt, &cmajflt,
                       &utime, &stime, &cutime, &cstime, &priority, &nice, &num_threads, &itrealvalue, &starttime);
        if (n != 20)
                return -EINVAL;
        st->starttime = starttime;
        st->state = state;
        st->ppid = ppid;
        st->pgrp = pgrp;
        st->session = session;
        st->flags = flags;
        st->utime = utime;
        st->stime = stime;
        st->cutime = cutime < 0 ? 0 : (uint64_t)cutime;
        st->cstime = cstime < 0 ? 0 : (uint64_t)cstime;
        st->nice = nice;
        return 0;
}
