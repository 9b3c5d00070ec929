/*
 * A stopped thread's registers, as PTRACE_GETREGSET gives them and as the
 * core notes carry them: the general registers (NT_PRSTATUS's pr_reg, which
 * includes fs_base, the thread pointer), the legacy FP/SSE state
 * (NT_PRFPREG), the I/O permission bitmap of a thread that called ioperm
 * (NT_386_IOPERM; the kernel answers ENXIO for any other, and writes no
 * note for it) and the full XSAVE area (NT_X86_XSTATE, whose size depends
 * on the CPU: the kernel says it through iov_len).
 */
#ifndef MEMSNAP_THREAD_REGS_H
#define MEMSNAP_THREAD_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* More than any XSAVE layout so far (AMX tiles make it about 11 KiB). */
#define THREAD_XSTATE_MAX (64 * 1024)

struct thread_regs {
        struct user_regs_struct gpr;
        struct user_fpregs_struct fpr;
        bool have_fpr;
        uint8_t *ioperm;      /* NULL unless the thread called ioperm */
        size_t ioperm_len;
        uint8_t *xstate;      /* NULL when the kernel offers no XSAVE state */
        size_t xstate_len;
};

/*
 * Reads every set of a stopped thread.  Only the general set is
 * required.  scratch holds THREAD_XSTATE_MAX bytes, reused from thread to
 * thread: the I/O bitmap and the XSAVE area are read there and kept at
 * their own size.
 */
int thread_regs_read(pid_t tid, struct thread_regs *r, uint8_t *scratch);

void thread_regs_free(struct thread_regs *r);

#endif
