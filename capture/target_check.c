/* Implementation of target_check.h. */
#include "target_check.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"

static int open_proc(struct target_check *t, pid_t pid)
{
        char path[64];
        _cleanup_free_ char *text = NULL;
        size_t len;

        snprintf(path, sizeof(path), "/proc/%d", (int)pid);
        t->proc_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (t->proc_fd < 0) {
                if (errno == ENOENT)
                        return log_error_errno(ESRCH, "no such process %d", (int)pid);
                return log_error_errno(errno, "cannot open '%s': %m", path);
        }
        int r = proc_read_at(t->proc_fd, "status", &text, &len);
        if (r == 0)
                r = proc_status_mem_parse(text, len, &t->status);
        if (r == 0)
                r = proc_stat_read(t->proc_fd, "stat", &t->stat);
        if (r == -ENOENT || r == -ESRCH)
                return log_error_errno(ESRCH, "no such process %d (it exited)", (int)pid);
        if (r < 0)
                return log_error_errno(r, "cannot read /proc/%d: %m", (int)pid);
        t->pid = pid;
        return 0;
}

/*
 * Whether some thread of the process is not a zombie.  A zombie main thread
 * is not the end of a process: its other threads may run on (it called
 * pthread_exit), or one of them is taking its place in an exec.
 */
static bool has_live_thread(int proc_fd)
{
        int fd = openat(proc_fd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return false;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return false;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                pid_t tid;
                if (proc_read_parse_pid(de->d_name, &tid) < 0)
                        continue;
                char st = proc_read_thread_state(proc_fd, tid);
                if (st && st != 'Z' && st != 'X')
                        return true;
        }
        return false;
}

/* ELFCLASS of the process's executable, or 0 when it cannot be read. */
static int exe_class(int proc_fd)
{
        unsigned char ident[EI_NIDENT];
        int fd = openat(proc_fd, "exe", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t n = pread(fd, ident, sizeof(ident), 0);
        close(fd);
        if (n != (ssize_t)sizeof(ident) || memcmp(ident, ELFMAG, SELFMAG) != 0)
                return 0;
        return ident[EI_CLASS];
}

int target_check(struct target_check *t, pid_t pid)
{
        int r = open_proc(t, pid);
        if (r < 0)
                return r;

        pid_t tgid = (pid_t)t->status.tgid;
        if (tgid > 0 && tgid != t->pid) {
                log_info("%d is a thread of process %d: taking the whole process", (int)t->pid, (int)tgid);
                close(t->proc_fd);
                t->proc_fd = -1;
                r = open_proc(t, tgid);
                if (r < 0)
                        return r;
        }
        const char *comm = t->stat.comm;
        if (t->pid == getpid())
                return log_error_errno(EINVAL, "memsnap cannot stop itself (process %d)", (int)t->pid);
        if (t->stat.flags & PROC_PF_KTHREAD)
                return log_error_errno(EINVAL, "process %d (%s) is a kernel thread: it has no user memory", (int)t->pid,
                                       comm);
        if ((t->stat.state == 'Z' || t->stat.state == 'X') && !has_live_thread(t->proc_fd))
                return log_error_errno(ESRCH, "process %d (%s) has exited (a zombie): nothing is left of it",
                                       (int)t->pid, comm);
        /* Registers and core notes are x86-64's: a 32-bit program's would be misread. */
        if (exe_class(t->proc_fd) == ELFCLASS32)
                return log_error_errno(EOPNOTSUPP, "process %d (%s) is a 32-bit program: memsnap reads x86-64 processes only",
                                       (int)t->pid, comm);
        if (t->status.tracer_pid > 0) {
                char tracer[64];
                proc_read_comm((pid_t)t->status.tracer_pid, tracer, sizeof(tracer));
                return log_error_errno(EBUSY, "process %d (%s) is already traced by process %d (%s); detach that debugger first",
                                       (int)t->pid, comm, (int)t->status.tracer_pid, tracer);
        }
        return 0;
}

void target_check_close(struct target_check *t)
{
        if (t->proc_fd >= 0)
                close(t->proc_fd);
        t->proc_fd = -1;
}
