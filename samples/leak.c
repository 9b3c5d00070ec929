/*
 * leak: the classic leak.  On every "step" (a line on stdin, or SIGUSR1) it
 * mallocs 4 MiB, fills it, and drops the pointer; with it, a small label it
 * also drops, and a small record it keeps on a list held from a global.
 *
 * Prints, per step:
 *   step N
 *   leaked ADDR SIZE              a block nothing points to any more
 *   held ADDR SIZE                a block reachable from the global list
 * and at start "pid P" then "ready"; after each step "done N".
 * Serves commands on stdin (see sample_io.h): "step" or "step K".
 *
 * usage: leak [-n INITIAL_STEPS] [-b BIG_BYTES]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sample_io.h"

struct record {
        struct record *next;
        unsigned step;
        char note[40];
};

/* The only root the kept records hang from. */
static struct record *kept;
static size_t big_bytes = 4u << 20;
static unsigned steps;
static volatile sig_atomic_t pending_signal_steps;

static __attribute__((noinline)) void leak_step(void)
{
        unsigned n = ++steps;
        say("step %u", n);

        char *big = malloc(big_bytes);
        memset(big, 0xab, big_bytes);
        say("leaked %p %zu", (void *)big, big_bytes);
        big = NULL;

        char *label = malloc(48);
        snprintf(label, 48, "request #%u", n);
        say("leaked %p %zu", (void *)label, (size_t)48);
        label = NULL;

        struct record *r = malloc(sizeof(*r));
        r->next = kept;
        r->step = n;
        snprintf(r->note, sizeof(r->note), "kept at step %u", n);
        kept = r;
        say("held %p %zu", (void *)r, sizeof(*r));
        say("done %u", n);
}

static bool handle(const char *cmd, void *data)
{
        (void)data;
        unsigned k = 1;
        if (strcmp(cmd, "signal") == 0)
                k = 0;
        else if (strcmp(cmd, "step") != 0 && sscanf(cmd, "step %u", &k) != 1)
                return false;
        while (pending_signal_steps > 0) {
                pending_signal_steps--;
                leak_step();
        }
        while (k--)
                leak_step();
        return true;
}

static void on_usr1(int sig)
{
        (void)sig;
        pending_signal_steps++;
}

int main(int argc, char **argv)
{
        unsigned initial = 0;
        int opt;

        while ((opt = getopt(argc, argv, "n:b:")) != -1) {
                switch (opt) {
                case 'n': initial = (unsigned)strtoul(optarg, NULL, 0); break;
                case 'b': big_bytes = strtoul(optarg, NULL, 0); break;
                default:
                        fprintf(stderr, "usage: leak [-n INITIAL_STEPS] [-b BIG_BYTES]\n");
                        return 2;
                }
        }
        if (big_bytes < 1)
                big_bytes = 1;

        /*
         * SIGUSR1 asks for a step too.  The handler only counts: the step
         * itself runs in the command loop, where malloc is safe.  SA_RESTART
         * is left off so the blocked read() returns and the loop notices.
         */
        struct sigaction sa = { .sa_handler = on_usr1 };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGUSR1, &sa, NULL);

        say("pid %d", (int)getpid());
        for (unsigned i = 0; i < initial; i++)
                leak_step();
        say("ready");

        sample_serve(handle, NULL);
        return 0;
}
