/* Implementation of proc_read.h: whole /proc files, status and stat fields. */
#include "proc_read.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"

int proc_read_at(int dirfd, const char *name, char **out, size_t *len)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;

        size_t cap = 16384, n = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (cap - n < 4096) {
                        if (cap >= PROC_FILE_MAX)
                                return -EFBIG;
                        char *nb = realloc(buf, cap * 2);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        cap *= 2;
                }
                ssize_t r = read(fd, buf + n, cap - n - 1);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        buf[n] = '\0';
        *out = TAKE_PTR(buf);
        *len = n;
        return 0;
}

/* The value after "Key:" on its own line, or NULL; *vlen is up to the newline. */
static const char *status_value(const char *text, size_t len, const char *key, size_t *vlen)
{
        size_t klen = strlen(key);
        const char *p = text, *end = text + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *eol = nl ? nl : end;
                if ((size_t)(eol - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == ':') {
                        const char *v = p + klen + 1;
                        while (v < eol && (*v == ' ' || *v == '\t'))
                                v++;
                        *vlen = (size_t)(eol - v);
                        return v;
                }
                p = nl ? nl + 1 : end;
        }
        return NULL;
}

static bool status_copy(const char *text, size_t len, const char *key, char *buf, size_t size)
{
        size_t vlen;
        const char *v = status_value(text, len, key, &vlen);
        if (!v || size == 0)
                return false;
        if (vlen >= size)
                vlen = size - 1;
        memcpy(buf, v, vlen);
        buf[vlen] = '\0';
        return true;
}

static bool status_long(const char *text, size_t len, const char *key, long long *out)
{
        char buf[64];
        if (!status_copy(text, len, key, buf, sizeof(buf)))
                return false;
        char *end;
        errno = 0;
        long long v = strtoll(buf, &end, 10);
        if (errno || end == buf)
                return false;
        *out = v;
        return true;
}

static bool status_hex(const char *text, size_t len, const char *key, uint64_t *out)
{
        char buf[64];
        if (!status_copy(text, len, key, buf, sizeof(buf)))
                return false;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(buf, &end, 16);
        if (errno || end == buf)
                return false;
        *out = v;
        return true;
}

/* "Uid:\t1000\t1000\t1000\t1000" into four ids. */
static bool status_ids(const char *text, size_t len, const char *key, unsigned ids[4])
{
        char buf[128];
        if (!status_copy(text, len, key, buf, sizeof(buf)))
                return false;
        return sscanf(buf, "%u %u %u %u", &ids[0], &ids[1], &ids[2], &ids[3]) == 4;
}

int proc_status_parse(const char *text, size_t len, struct proc_status *st)
{
        long long v;
        char state[16];
        unsigned ids[4];

        memset(st, 0, sizeof(*st));
        st->tgid = st->pid = st->ppid = -1;
        st->vm_rss_kb = st->rss_anon_kb = st->rss_shmem_kb = -1;

        if (!status_copy(text, len, "Name", st->name, sizeof(st->name)))
                return -EINVAL;
        if (status_copy(text, len, "State", state, sizeof(state)))
                st->state = state[0];
        if (status_long(text, len, "Tgid", &v))
                st->tgid = (pid_t)v;
        if (status_long(text, len, "Pid", &v))
                st->pid = (pid_t)v;
        if (status_long(text, len, "PPid", &v))
                st->ppid = (pid_t)v;
        if (status_long(text, len, "TracerPid", &v))
                st->tracer_pid = (pid_t)v;
        if (status_long(text, len, "Threads", &v))
                st->threads = (int)v;
        if (status_long(text, len, "VmRSS", &v))
                st->vm_rss_kb = v;
        if (status_long(text, len, "RssAnon", &v))
                st->rss_anon_kb = v;
        if (status_long(text, len, "RssShmem", &v))
                st->rss_shmem_kb = v;
        if (status_ids(text, len, "Uid", ids)) {
                for (int i = 0; i < 4; i++)
                        st->uid[i] = ids[i];
                st->have_uid = true;
        }
        if (status_ids(text, len, "Gid", ids)) {
                for (int i = 0; i < 4; i++)
                        st->gid[i] = ids[i];
                st->have_gid = true;
        }
        status_hex(text, len, "SigPnd", &st->sig_pnd);
        status_hex(text, len, "ShdPnd", &st->shd_pnd);
        status_hex(text, len, "SigBlk", &st->sig_blk);
        status_hex(text, len, "CapEff", &st->cap_eff);
        return 0;
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
        long long cutime, cstime, priority, nice;
        int n = sscanf(rest, " %c %d %d %d %d %d %llu %llu %llu %llu %llu %llu %llu %lld %lld %lld %lld", &state,
                       &ppid, &pgrp, &session, &tty, &tpgid, &flags, &minflt, &cminflt, &majflt, &cmajflt, &utime,
                       &stime, &cutime, &cstime, &priority, &nice);
        if (n != 17)
                return -EINVAL;
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
