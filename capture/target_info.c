/* Implementation of target_info.h. */
#include "target_info.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"

/* ESRCH, or ENOENT on a /proc/PID that vanished, both mean the process is gone. */
static int gone_or(int r, pid_t pid, const char *what)
{
        if (r == -ESRCH || r == -ENOENT)
                return -ESRCH;
        return log_error_errno(r, "cannot read /proc/%d/%s: %m", (int)pid, what);
}

static int read_text(int proc_fd, pid_t pid, const char *name, char **out, size_t *len)
{
        int r = proc_read_at(proc_fd, name, out, len);
        return r < 0 ? gone_or(r, pid, name) : 0;
}

static int by_tid(const void *a, const void *b)
{
        const struct thread_early *x = a, *y = b;
        return (x->tid > y->tid) - (x->tid < y->tid);
}

/* A thread's name and stat into e; -ESRCH when it is gone, -ENOMEM. */
static int read_early(int proc_fd, pid_t tid, struct thread_early *e)
{
        char path[64];
        _cleanup_free_ char *text = NULL;
        size_t len;

        snprintf(path, sizeof(path), "task/%d/stat", (int)tid);
        int r = proc_stat_read(proc_fd, path, &e->stat);
        if (r < 0)
                return r == -ENOMEM ? r : -ESRCH;
        snprintf(path, sizeof(path), "task/%d/comm", (int)tid);
        r = proc_read_at(proc_fd, path, &text, &len);
        if (r < 0)
                return r == -ENOMEM ? r : -ESRCH;
        /* The kernel ends comm with one '\n' (fs/proc/base.c comm_show); a name may hold more. */
        if (len > 0 && text[len - 1] == '\n')
                text[len - 1] = '\0';
        e->tid = tid;
        e->name = TAKE_PTR(text);
        return 0;
}

int threads_early_read(struct threads_early *te, int proc_fd)
{
        int fd = openat(proc_fd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0; /* the stop will say what became of the process */
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return 0;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                pid_t tid;
                if (proc_read_parse_pid(de->d_name, &tid) < 0)
                        continue;
                if (ARRAY_RESERVE(te->v, te->cap, te->n + 1) < 0)
                        return -ENOMEM;
                int r = read_early(proc_fd, tid, &te->v[te->n]);
                if (r == -ENOMEM)
                        return r;
                if (r == 0)
                        te->n++;
        }
        if (te->n)
                qsort(te->v, te->n, sizeof(*te->v), by_tid);
        return 0;
}

void threads_early_free(struct threads_early *te)
{
        for (size_t i = 0; i < te->n; i++)
                free(te->v[i].name);
        free(te->v);
        *te = (struct threads_early){ 0 };
}

static const struct thread_early *early_find(const struct threads_early *te, pid_t tid)
{
        if (!te || te->n == 0)
                return NULL;
        struct thread_early key = { .tid = tid };
        return bsearch(&key, te->v, te->n, sizeof(*te->v), by_tid);
}

static int read_thread(int proc_fd, pid_t pid, struct target_thread *t, const struct threads_early *early,
                       uint8_t *scratch)
{
        char path[64];
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r;

        r = thread_regs_read(t->tid, &t->regs, scratch);
        if (r < 0)
                return r == -ESRCH ? -ESRCH : log_error_errno(r, "cannot read the registers of thread %d: %m", (int)t->tid);

        snprintf(path, sizeof(path), "task/%d/status", (int)t->tid);
        r = read_text(proc_fd, pid, path, &text, &len);
        if (r < 0)
                return r;
        (void)proc_status_mem_parse(text, len, &t->status);
        free(text);
        text = NULL;

        /* Born since the early read: read now. */
        struct thread_early fresh = { 0 };
        const struct thread_early *e = early_find(early, t->tid);
        if (!e) {
                r = read_early(proc_fd, t->tid, &fresh);
                if (r < 0)
                        return r == -ENOMEM ? log_error_errno(r, "cannot read process %d: %m", (int)pid) : r;
                t->stat = fresh.stat;
                t->name = fresh.name;
                return 0;
        }
        t->stat = e->stat;
        t->name = strdup(e->name);
        return t->name ? 0 : log_error_errno(ENOMEM, "cannot read process %d: %m", (int)pid);
}

int target_info_read(struct target_info *ti, int proc_fd, pid_t pid, const struct ptrace_stop *stop,
                     const struct threads_early *early)
{
        int r;

        memset(ti, 0, sizeof(*ti));
        ti->pid = pid;
        ti->mem_dir_fd = -1;

        /* fs/binfmt_elf.c puts the dumping thread first; for us, the main thread. */
        size_t nt;
        _cleanup_free_ pid_t *tids = ptrace_stop_tids(stop, &nt);
        ti->threads = calloc(nt ? nt : 1, sizeof(*ti->threads));
        if (!tids || !ti->threads)
                return log_error_errno(ENOMEM, "cannot read process %d: %m", (int)pid);
        for (size_t i = 0; i < nt; i++)
                ti->threads[i].tid = tids[i];
        ti->nthreads = nt;

        if (ti->nthreads == 0)
                return -ESRCH;
        _cleanup_free_ uint8_t *scratch = malloc(THREAD_XSTATE_MAX);
        if (!scratch)
                return log_error_errno(ENOMEM, "cannot read process %d: %m", (int)pid);
        for (size_t i = 0; i < ti->nthreads; i++) {
                r = read_thread(proc_fd, pid, &ti->threads[i], early, scratch);
                if (r < 0)
                        return r;
        }

        char dir[64];
        ti->mem_tid = ti->threads[0].tid;
        snprintf(dir, sizeof(dir), "task/%d", (int)ti->mem_tid);
        ti->mem_dir_fd = openat(proc_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ti->mem_dir_fd < 0)
                return gone_or(-errno, pid, dir);

        if ((r = read_text(ti->mem_dir_fd, pid, "smaps", &ti->smaps, &ti->smaps_len)) < 0 ||
            (r = read_text(proc_fd, pid, "status", &ti->status, &ti->status_len)) < 0 ||
            (r = read_text(proc_fd, pid, "stat", &ti->stat, &ti->stat_len)) < 0 ||
            (r = read_text(ti->mem_dir_fd, pid, "cmdline", &ti->cmdline, &ti->cmdline_len)) < 0)
                return r;
        char *auxv;
        r = read_text(ti->mem_dir_fd, pid, "auxv", &auxv, &ti->auxv_len);
        if (r < 0)
                return r;
        ti->auxv = (uint8_t *)auxv;

        if (proc_status_mem_parse(ti->status, ti->status_len, &ti->proc_status) < 0 ||
            proc_stat_parse(ti->stat, ti->stat_len, &ti->proc_stat) < 0)
                return log_error_errno(EINVAL, "cannot parse /proc/%d/status or stat", (int)pid);
        /* An exiting process has an empty smaps: its memory is gone. */
        if (ti->smaps_len == 0)
                return -ESRCH;

        char exe[PATH_MAX];
        ssize_t n = readlinkat(ti->mem_dir_fd, "exe", exe, sizeof(exe) - 1);
        exe[n > 0 ? n : 0] = '\0';
        ti->exe = strdup(exe);
        if (!ti->exe)
                return log_error_errno(ENOMEM, "cannot read process %d: %m", (int)pid);
        return 0;
}

void target_info_free(struct target_info *ti)
{
        if (ti->mem_dir_fd >= 0)
                close(ti->mem_dir_fd);
        for (size_t i = 0; i < ti->nthreads; i++) {
                free(ti->threads[i].name);
                thread_regs_free(&ti->threads[i].regs);
        }
        free(ti->threads);
        free(ti->smaps);
        free(ti->status);
        free(ti->stat);
        free(ti->cmdline);
        free(ti->auxv);
        free(ti->exe);
        *ti = (struct target_info)TARGET_INFO_INIT;
}
