/* Implementation of fork_refuse.h. */
#include "fork_refuse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_memory.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/units.h"
#include "fork_mapping.h"
#include "syscall_inject.h"

/* 1 when a and b share one address space, 0 when not, -errno when kcmp cannot tell. */
static int same_mm(pid_t a, pid_t b)
{
        long r = syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0);
        return r < 0 ? -errno : r == 0;
}

/* A child of some thread of pid that shares its memory: a vfork child before its exec. */
static pid_t vfork_child(pid_t pid, int proc_fd)
{
        int fd = openat(proc_fd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return 0;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                char path[300];
                snprintf(path, sizeof(path), "task/%s/children", de->d_name);
                int cfd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
                if (cfd < 0)
                        continue;
                _cleanup_fclose_ FILE *f = fdopen(cfd, "re");
                if (!f) {
                        close(cfd);
                        continue;
                }
                int child;
                while (fscanf(f, "%d", &child) == 1)
                        if (same_mm(pid, child) == 1)
                                return child;
        }
        return 0;
}

bool fork_refuse_early(pid_t pid, int proc_fd, char *why, size_t why_len)
{
        struct proc_stat st;
        if (proc_stat_read(proc_fd, "stat", &st) == 0 && st.ppid > 0) {
                int r = same_mm(pid, st.ppid);
                if (r == 1) {
                        snprintf(why, why_len,
                                 "it is a vfork child of process %d and shares that process's memory until it calls exec",
                                 (int)st.ppid);
                        return true;
                }
                if (r < 0)
                        log_debug("kcmp cannot compare process %d with its parent: %s; a vfork is not looked for",
                                  (int)pid, strerror(-r));
        }
        pid_t child = vfork_child(pid, proc_fd);
        if (child > 0) {
                snprintf(why, why_len, "a thread of it waits in vfork for process %d, which shares its memory", (int)child);
                return true;
        }
        return false;
}

uint64_t fork_refuse_copy_worst_bytes(const struct map_list *maps, int64_t vm_pte_kb)
{
        uint64_t bytes = vm_pte_kb > 0 ? (uint64_t)vm_pte_kb * 1024 : 0;
        for (size_t i = 0; i < maps->n; i++) {
                const struct map_entry *e = &maps->v[i];
                if (e->perms[1] == 'w' && fork_mapping_in_child(e) && e->rss_kb > 0)
                        bytes += (uint64_t)e->rss_kb * 1024;
        }
        return bytes;
}

bool fork_refuse_stopped(const struct target_info *ti, const struct map_list *maps, char *why, size_t why_len)
{
        for (size_t t = 0; t < ti->nthreads; t++) {
                int64_t mode = ti->threads[t].status.seccomp;
                if (mode > 0) {
                        snprintf(why, why_len, "thread %d runs under seccomp (%s): an injected clone might be refused or kill it",
                                 (int)ti->threads[t].tid, mode == 1 ? "strict mode" : "a filter");
                        return true;
                }
        }
        for (size_t i = 0; i < maps->n; i++) {
                const struct map_entry *e = &maps->v[i];
                if (map_entry_has_vm_flag(e, "um") || map_entry_has_vm_flag(e, "uw") || map_entry_has_vm_flag(e, "ui")) {
                        snprintf(why, why_len,
                                 "it uses userfaultfd (mapping %" PRIx64 "-%" PRIx64 "): its fault handler would be told of the fork",
                                 e->start, e->end);
                        return true;
                }
        }
        uint64_t worst = fork_refuse_copy_worst_bytes(maps, ti->proc_status.vm_pte_kb);
        char where[4200];
        uint64_t room = cgroup_memory_room(ti->pid, where, sizeof(where));
        if (worst > room) {
                char w[UNITS_BUF_MAX], r[UNITS_BUF_MAX];
                snprintf(why, why_len,
                         "the pages it may copy while the child is read (up to %s) do not fit in the %s left by %s",
                         units_format_bytes(w, worst), units_format_bytes(r, room), where);
                return true;
        }
        log_debug("fork: up to %" PRIu64 " bytes of copies, %" PRIu64 " bytes of room (%s)", worst, room, where);
        return false;
}

pid_t fork_refuse_thread_pick(const struct target_info *ti)
{
        for (size_t t = 0; t < ti->nthreads; t++) {
                const struct target_thread *th = &ti->threads[t];
                if (syscall_inject_mask_safe((long)th->regs.gpr.orig_rax) && syscall_inject_stop_ok(th->tid))
                        return th->tid;
        }
        return 0;
}
