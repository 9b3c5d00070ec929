/*
 * When a fork capture must not be tried (capture.md, "What fork refuses").
 * Each check fills `why` with a sentence for the user; `auto` then
 * captures by stopping instead, `fork` fails with it.
 *
 * Before the stop (fork_refuse_early):
 *   - vfork: the process is a vfork child (it shares its parent's memory
 *     until it calls exec: a copy would be of the parent's, and the pid
 *     may be another program by the time the copy is reaped), or one of
 *     its threads waits in vfork for a child that shares its memory (that
 *     thread cannot be stopped, and the child changes the memory as it is
 *     copied).  Told by kcmp(KCMP_VM).
 * During the stop (fork_refuse_stopped):
 *   - a seccomp filter or strict mode on any thread ("Seccomp:" not 0): an
 *     injected clone or wait4 might be refused, or kill the process;
 *   - userfaultfd on a mapping (VmFlags "um", "uw", "ui"): the program's
 *     fault handler would be told of the fork (UFFD_EVENT_FORK);
 *   - not enough memory: while the child is read, each page the target
 *     writes is copied once.  The write rate cannot be measured without
 *     touching the target (soft-dirty bits are reset through clear_refs,
 *     which another tool may rely on), so the estimate is the worst case:
 *     every resident page of its private writable mappings, and page
 *     tables as large as its own (VmPTE).  It must fit in the room its
 *     memory cgroups and the system have left (cgroup_memory.h).
 * And no thread may be injected into, or no `syscall` instruction is
 * mapped: fork_refuse_thread_pick and syscall_gadget_find say so.
 * A clone that fails (pids.max, RLIMIT_NPROC, memory) made nothing: the
 * caller falls back then, in the same stop.
 */
#ifndef MEMSNAP_FORK_REFUSE_H
#define MEMSNAP_FORK_REFUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/proc_maps.h"
#include "target_info.h"

/* Returns true, with why, when fork must not be tried on pid (whose /proc is proc_fd). */
bool fork_refuse_early(pid_t pid, int proc_fd, char *why, size_t why_len);

/*
 * The worst-case bytes of copies while the child is read: resident bytes
 * of private writable mappings the child holds, plus VmPTE.
 */
uint64_t fork_refuse_copy_worst_bytes(const struct map_list *maps, int64_t vm_pte_kb);

/* Returns true, with why, when fork must not be tried on the stopped process. */
bool fork_refuse_stopped(const struct target_info *ti, const struct map_list *maps, char *why, size_t why_len);

/*
 * A thread to inject into: in a PTRACE_EVENT_STOP and not in a system call
 * with a temporary signal mask (syscall_inject.h); the main thread first.
 * 0 when none.
 */
pid_t fork_refuse_thread_pick(const struct target_info *ti);

#endif
