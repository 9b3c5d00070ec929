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
 * memory, the state analyze calls idle.  With "mmapped" it also gets one
 * block from glibc itself, through __libc_memalign (glibc's own entry,
 * which jemalloc does not interpose): above the mmap threshold it is an
 * mmapped chunk, and the main arena stays without memory.  With "both"
 * that block is a small one from __libc_malloc instead: glibc's arena is
 * in use beside jemalloc.  It prints "glibc ADDR USABLE" for the block,
 * the usable size by glibc's own malloc_usable_size, and writes every
 * usable byte (a core holds it all).
 */
#include <dlfcn.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "samples/sample_io.h"

#define BLOCKS 64

/* jemalloc's control interface (jemalloc/jemalloc.h would also redeclare malloc's family). */
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
/* glibc's malloc and memalign under their own names: exported by libc.so.6, never interposed */
void *__libc_malloc(size_t size);
void *__libc_memalign(size_t alignment, size_t size);

#define GLIBC_BLOCK (1u << 20)      /* above glibc's default mmap threshold (128 KiB) */
#define GLIBC_SMALL 200u            /* from the main arena, which it puts in use */

static void *blocks[BLOCKS];

static bool handle(const char *cmd, void *data)
{
        (void)cmd;
        (void)data;
        return false;
}

int main(int argc, char **argv)
{
        const char *mode = argc > 1 ? argv[1] : "";
        if (strcmp(mode, "idle") == 0)
                mallopt(M_MMAP_THRESHOLD, 1 << 20);
        static void *glibc_block;
        if (strcmp(mode, "mmapped") == 0 || strcmp(mode, "both") == 0) {
                glibc_block = strcmp(mode, "both") == 0 ? __libc_malloc(GLIBC_SMALL) : __libc_memalign(4096, GLIBC_BLOCK);
                /* libc's own malloc_usable_size, not jemalloc's interposed one */
                void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
                size_t (*usable)(void *) = libc ? (size_t (*)(void *))dlsym(libc, "malloc_usable_size") : NULL;
                if (!glibc_block || !usable)
                        return 1;
                size_t n = usable(glibc_block);
                memset(glibc_block, 0x47, n);
                say("glibc %#lx %zu", (unsigned long)(uintptr_t)glibc_block, n);
        }
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
