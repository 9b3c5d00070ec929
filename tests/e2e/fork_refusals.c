/*
 * fork_refusals: processes a fork capture must refuse.
 *
 *   fork_refusals -s       installs a seccomp filter that allows every
 *                          system call ("Seccomp: 2"), then serves commands
 *   fork_refusals -v       vforks: the child, sharing the parent's memory,
 *                          prints "child PID" and "ready" and reads its
 *                          standard input (raw read system calls) until
 *                          end of input or a line, then _exits; the
 *                          parent's thread waits in vfork meanwhile, then
 *                          serves commands
 *   fork_refusals -m MIB   touches MIB of anonymous memory first (with -s or
 *                          -v too: enough for --method auto to try a fork)
 *
 * Prints "pid P" (the parent) and "ready".
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "samples/sample_io.h"

static int allow_all_filter(void)
{
        struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        struct sock_fprog prog = { 1, &allow };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -1;
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

int main(int argc, char **argv)
{
        int opt;
        size_t mib = 0;
        int seccomp = 0, do_vfork = 0;
        while ((opt = getopt(argc, argv, "svm:")) != -1) {
                if (opt == 's')
                        seccomp = 1;
                else if (opt == 'v')
                        do_vfork = 1;
                else if (opt == 'm')
                        mib = strtoul(optarg, NULL, 0);
                else
                        return 2;
        }
        if (seccomp && allow_all_filter() < 0)
                return 1;
        if (mib) {
                char *p = malloc(mib << 20);
                memset(p, 0x5a, mib << 20);
        }
        say("pid %d", (int)getpid());
        if (do_vfork) {
                pid_t c = vfork();
                if (c == 0) {
                        /* Only raw system calls here: the memory is the parent's. */
                        char buf[64], line[32];
                        int n = 0;
                        long self = syscall(SYS_getpid);
                        char num[16];
                        int k = 0;
                        do {
                                num[k++] = (char)('0' + self % 10);
                                self /= 10;
                        } while (self);
                        memcpy(line, "child ", 6);
                        for (int i = 0; i < k; i++)
                                line[6 + i] = num[k - 1 - i];
                        line[6 + k] = '\n';
                        syscall(SYS_write, 1, line, 7 + k);
                        syscall(SYS_write, 1, "ready\n", 6);
                        while ((n = (int)syscall(SYS_read, 0, buf, sizeof(buf))) > 0 && !memchr(buf, '\n', (size_t)n))
                                ;
                        syscall(SYS_exit, 0);
                }
                say("vfork over");
        } else {
                say("ready");
        }
        sample_serve(NULL, NULL);
        return 0;
}
