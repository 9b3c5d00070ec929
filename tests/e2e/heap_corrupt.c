/*
 * heap_corrupt: a process whose glibc heap is damaged on purpose, for the
 * heap walker's tests (tests/e2e/heap-corrupt.sh).  Three kinds of damage,
 * each reported with the addresses the analysis must name:
 *   corrupt CHUNK        a chunk header overwritten with an impossible size
 *   loop CHUNK CHUNK     a fastbin that points back on itself (free a, b, a
 *                        with the tcache of that size full)
 *   wild CHUNK BK        a chunk in the unsorted bin whose bk points nowhere
 *   ready
 * Then it serves ping and quit on stdin (samples/sample_io.h).  It must not
 * call malloc again: malloc would follow the broken lists.  The damaged
 * chunk lies above the others, so the walk that stops there has already
 * seen the chunks of the broken lists.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samples/sample_io.h"

#define TCACHE_FILL 7                     /* glibc malloc.c: TCACHE_FILL_COUNT */
#define WILD_BK 0x4141414141410ull       /* 16-aligned, mapped nowhere */

static uint64_t chunk_of(void *mem) { return (uint64_t)(uintptr_t)mem - 16; }

int main(void)
{
        void *fill[TCACHE_FILL];

        for (int i = 0; i < TCACHE_FILL; i++)
                fill[i] = malloc(40);
        void *a = malloc(40), *b = malloc(40);
        void *guard1 = malloc(40);
        void *u = malloc(2000);             /* above tcache's 1032 bytes: freed into the unsorted bin */
        void *guard2 = malloc(40);
        void *x = malloc(100), *y = malloc(100);
        memset(x, 0x11, 100);
        memset(y, 0x22, 100);

        for (int i = 0; i < TCACHE_FILL; i++)
                free(fill[i]);
        free(a);
        free(b);
        free(a);                            /* only the fastbin's head is checked: a -> b -> a -> ... */
        free(u);

        ((uint64_t *)u)[1] = WILD_BK;       /* bk sits at mem + 8 */
        ((uint64_t *)x)[-1] = 0x13371337;   /* the size field, right before mem */

        say("pid %d", (int)getpid());
        say("corrupt 0x%llx", (unsigned long long)chunk_of(x));
        say("loop 0x%llx 0x%llx", (unsigned long long)chunk_of(a), (unsigned long long)chunk_of(b));
        say("wild 0x%llx 0x%llx", (unsigned long long)chunk_of(u), WILD_BK);
        say("ready");
        sample_serve(NULL, NULL);
        (void)guard1;
        (void)guard2;
        _exit(0);                           /* exit handlers might touch the broken heap */
}
