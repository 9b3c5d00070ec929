/* Implementation of ptrace_permission.h: the facts, and the kernel's rules applied to them. */
#include "ptrace_permission.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "proc_read.h"

#define YAMA_SCOPE_PATH "/proc/sys/kernel/yama/ptrace_scope"
#define ANCESTRY_MAX 4096 /* a parent chain longer than this is a loop in a race */

static int read_yama_scope(void)
{
        _cleanup_fclose_ FILE *f = fopen(YAMA_SCOPE_PATH, "re");
        int scope;
        if (!f || fscanf(f, "%d", &scope) != 1)
                return -1;
        return scope;
}

static bool have_cap_sys_ptrace(void)
{
        _cleanup_free_ char *text = NULL;
        size_t len;
        struct proc_status_mem st;
        if (proc_read_at(AT_FDCWD, "/proc/self/status", &text, &len) < 0 ||
            proc_status_mem_parse(text, len, &st) < 0)
                return false;
        return (st.cap_eff >> PROC_CAP_SYS_PTRACE) & 1;
}

static pid_t parent_of(pid_t pid)
{
        char path[64];
        struct proc_stat st;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        return proc_stat_read(AT_FDCWD, path, &st) < 0 ? -1 : st.ppid;
}

static bool descends_from_us(pid_t pid)
{
        pid_t self = getpid();
        for (int i = 0; i < ANCESTRY_MAX && pid > 1; i++) {
                pid = parent_of(pid);
                if (pid == self)
                        return true;
        }
        return false;
}

void ptrace_facts_gather(int proc_fd, pid_t pid, struct ptrace_facts *f)
{
        memset(f, 0, sizeof(*f));
        f->pid = pid;
        f->yama_scope = read_yama_scope();
        f->our_uid = getuid();
        f->our_gid = getgid();
        f->cap_sys_ptrace = have_cap_sys_ptrace();
        f->target_dumpable = true;

        _cleanup_free_ char *text = NULL;
        size_t len;
        struct proc_status_mem st;
        if (proc_read_at(proc_fd, "status", &text, &len) == 0 && proc_status_mem_parse(text, len, &st) == 0 &&
            st.have_uid && st.have_gid) {
                f->target_known = true;
                snprintf(f->comm, sizeof(f->comm), "%s", st.name);
                for (int i = 0; i < 3; i++) {
                        f->target_uid[i] = st.uid[i];
                        f->target_gid[i] = st.gid[i];
                }
                /*
                 * fs/proc/base.c task_dump_owner: the files in /proc/PID
                 * belong to the process's euid when it is dumpable, else
                 * to root.
                 */
                struct stat sb;
                if (fstatat(proc_fd, "status", &sb, 0) == 0 && sb.st_uid == 0 && st.uid[1] != 0)
                        f->target_dumpable = false;
        }

        struct proc_stat ps;
        if (proc_stat_read(proc_fd, "stat", &ps) == 0)
                f->kernel_thread = (ps.flags & PROC_PF_KTHREAD) != 0;

        f->descendant = descends_from_us(pid);
}

static bool same_user(const struct ptrace_facts *f)
{
        /* kernel/ptrace.c: the caller's ids must equal all of the target's. */
        for (int i = 0; i < 3; i++)
                if (f->target_uid[i] != f->our_uid || f->target_gid[i] != f->our_gid)
                        return false;
        return true;
}

void ptrace_permission_denied_reason(const struct ptrace_facts *f, char *buf, size_t size)
{
        const char *who = f->comm[0] ? f->comm : "?";

        if (f->kernel_thread) {
                snprintf(buf, size, "process %d (%s) is a kernel thread: it has no user memory to capture", f->pid, who);
                return;
        }
        if (f->yama_scope >= 3) {
                snprintf(buf, size, "kernel.yama.ptrace_scope is %d: ptrace is disabled on this system until reboot",
                         f->yama_scope);
                return;
        }
        if (f->target_known && !same_user(f) && !f->cap_sys_ptrace) {
                uid_t t = f->target_uid[0] != f->our_uid ? f->target_uid[0] : f->target_uid[1];
                if (f->target_uid[0] == f->our_uid && f->target_uid[1] == f->our_uid && f->target_uid[2] == f->our_uid)
                        snprintf(buf, size,
                                 "process %d (%s) runs with group ids other than memsnap's (gid %u vs %u, a setgid program?): capturing it needs root or CAP_SYS_PTRACE",
                                 f->pid, who, (unsigned)f->target_gid[1], (unsigned)f->our_gid);
                else
                        snprintf(buf, size,
                                 "process %d (%s) belongs to uid %u and memsnap runs as uid %u without CAP_SYS_PTRACE: capturing another user's process needs root or CAP_SYS_PTRACE",
                                 f->pid, who, (unsigned)t, (unsigned)f->our_uid);
                return;
        }
        if (!f->target_dumpable && !f->cap_sys_ptrace) {
                snprintf(buf, size,
                         "process %d (%s) is not dumpable (a setuid or setgid program, or it called prctl(PR_SET_DUMPABLE, 0)): capturing it needs root or CAP_SYS_PTRACE",
                         f->pid, who);
                return;
        }
        if (f->yama_scope == 2 && !f->cap_sys_ptrace) {
                snprintf(buf, size,
                         "kernel.yama.ptrace_scope is 2: only processes with CAP_SYS_PTRACE may trace; run memsnap as root");
                return;
        }
        if (f->yama_scope == 1 && !f->cap_sys_ptrace && !f->descendant) {
                snprintf(buf, size,
                         "kernel.yama.ptrace_scope is 1: only a process's ancestors may trace it; run memsnap as root or with CAP_SYS_PTRACE, or set kernel.yama.ptrace_scope=0");
                return;
        }
        snprintf(buf, size,
                 "the kernel refused to let memsnap trace process %d (%s) although uid, dumpability and Yama allow it: a security module (SELinux, AppArmor) or a user namespace boundary denies it",
                 f->pid, who);
}
