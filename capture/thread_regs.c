/* Implementation of thread_regs.h: PTRACE_GETREGSET once per register set. */
#include "thread_regs.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "common/cleanup.h"

int thread_regs_read(pid_t tid, struct thread_regs *r, uint8_t *scratch)
{
        memset(r, 0, sizeof(*r));

        struct iovec iov = { &r->gpr, sizeof(r->gpr) };
        if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov) < 0)
                return -errno;
        if (iov.iov_len != sizeof(r->gpr))
                return -EPROTO;

        iov = (struct iovec){ &r->fpr, sizeof(r->fpr) };
        if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRFPREG, &iov) == 0 && iov.iov_len == sizeof(r->fpr))
                r->have_fpr = true;

        /* Into the caller's buffer of the largest size, then kept at the size the kernel gave. */
        iov = (struct iovec){ scratch, THREAD_XSTATE_MAX };
        if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_386_IOPERM, &iov) == 0 && iov.iov_len > 0) {
                r->ioperm = malloc(iov.iov_len);
                if (!r->ioperm)
                        return -ENOMEM;
                memcpy(r->ioperm, scratch, iov.iov_len);
                r->ioperm_len = iov.iov_len;
        }

        iov = (struct iovec){ scratch, THREAD_XSTATE_MAX };
        if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &iov) == 0 && iov.iov_len > 0) {
                r->xstate = malloc(iov.iov_len);
                if (!r->xstate) {
                        thread_regs_free(r);
                        return -ENOMEM;
                }
                memcpy(r->xstate, scratch, iov.iov_len);
                r->xstate_len = iov.iov_len;
        }
        return 0;
}

void thread_regs_free(struct thread_regs *r)
{
        free(r->ioperm);
        r->ioperm = NULL;
        r->ioperm_len = 0;
        free(r->xstate);
        r->xstate = NULL;
        r->xstate_len = 0;
}
