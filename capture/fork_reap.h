/*
 * Taking the killed copy away from the target.  The copy's parent is the
 * target (fork_child.h), so once dead it is the target's zombie until the
 * target waits for it; with exit signal 0 nothing tells the target so, and
 * only a wait with __WALL would find it.  One thread of the target, and
 * only that one, is stopped again for a moment and runs
 * wait4(CHILD, NULL, __WALL | WNOHANG, NULL) (syscall_inject.h): that
 * collects exactly our zombie, never a child of the program's own, and
 * never blocks.  The other threads run on.
 *
 * What stays: the dead copy's CPU time (next to nothing) is added to the
 * target's children's times, and getrusage(RUSAGE_CHILDREN)'s ru_maxrss
 * may show the copy's size, as after any fork and wait.
 */
#ifndef MEMSNAP_FORK_REAP_H
#define MEMSNAP_FORK_REAP_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Reaps zombie in process pid through one of its threads, with the
 * `syscall` at gadget.  Returns 0 (reaped, or no longer there to reap),
 * -ESRCH when the process is gone, or another -errno with a warning that
 * names the zombie left behind.
 */
int fork_reap(pid_t pid, pid_t zombie, uint64_t gadget);

#endif
