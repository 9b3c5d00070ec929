/*
 * A program linked with -ljemalloc, so that its malloc() — and the C
 * library's own calls to malloc — are jemalloc's and glibc's main_arena is
 * never used: the heap_foreign test checks that analyze says so instead of
 * reading glibc's untouched bins as damage.
 *
 * Prints "jemalloc VERSION" (from mallctl, jemalloc's own word that it
 * serves), "held ADDR" for the blocks it keeps, then "ready".  With the
 * argument "idle" it first calls mallopt(), which jemalloc does not
 * define: glibc's malloc initialises itself (ptmalloc_init) and gets no
 * memory, the state analyze calls idle.
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sample_io.h"

#define BLOCKS 64

/* jemalloc's control interface (jemalloc/jemalloc.h would also redeclare malloc's family). */
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

static void *blocks[BLOCKS];

static bool handle(const char *cmd, void *data)
{
        (void)cmd;
        (void)data;
        return false;
}

int main(int argc, char **argv)
{
        if (argc > 1 && strcmp(argv[1], "idle") == 0)
                mallopt(M_MMAP_THRESHOLD, 1 << 20);
        for (int i = 0; i < BLOCKS; i++) {
                blocks[i] = malloc(32 + 48 * (size_t)i);
                if (!blocks[i])
                        return 1;
                memset(blocks[i], 0x6a, 32 + 48 * (size_t)i);
                say("held %#lx", (unsigned long)(uintptr_t)blocks[i]);
        }
        const char *version = NULL;
        size_t len = sizeof(version);
        if (mallctl("version", &version, &len, NULL, 0) != 0 || !version)
                return 1;
        say("jemalloc %s", version);
        say("ready");
        sample_serve(handle, NULL);
        return 0;
}
