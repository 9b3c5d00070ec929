/*
 * sparse: maps a large anonymous region and touches only a few pages of it.
 *
 * A core of this process should take about as much disk as the pages touched
 * (holes for the rest), and capturing it must not fault the untouched pages
 * in: the process's RSS is the same before and after.
 *
 * Prints:
 *   pid P
 *   region ADDR SIZE              the whole mapping
 *   touched ADDR LEN BYTE         a run of pages each filled with BYTE
 *   block MEM USABLE HOW LEAD     with -c: a block malloc holds, mapped for it alone;
 *                                 LEAD is the bytes of its mapping before its chunk
 *                                 (glibc's prev_size of an mmapped chunk), 0 but aligned
 *   mallinfo2 arena=... hblks=... glibc's own figures, after the blocks
 *   ready
 * and serves commands on stdin (see sample_io.h); "rss" prints "rss KB";
 * "pageout" asks the kernel to swap the first touched run out
 * (MADV_PAGEOUT; it stays in RAM when there is no swap) and prints
 * "pageout SWAP_KB", the process's VmSwap after it.
 *
 * usage: sparse [-m MAP_MIB] [-t TOUCH_MIB] [-r RUNS] [-c BLOCKS]
 *   the touched MiB are spread over RUNS runs across the region (default 16);
 *   -t 0 leaves the whole mapping untouched.  -c allocates BLOCKS blocks of
 *   300 KiB to 4 MiB, each above glibc's mmap threshold, so each is an
 *   mmapped chunk whose pages the program mostly never touches, as HOW says:
 *     calloc   calloc on a fresh mapping writes nothing (glibc knows it is zero)
 *     head     malloc, then the first 64 bytes written
 *     ends     malloc, then the first and the last page written
 *     aligned  posix_memalign to 64 KiB (a chunk carved out of the mapping,
 *              its header pages apart), the first 64 bytes written
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sample_io.h"

/* The first touched run: what "pageout" swaps out. */
struct first_run {
        unsigned char *p;
        size_t len;
};

/* A "Key: N kB" figure of /proc/self/status, or -1. */
static long status_kb(const char *key)
{
        char buf[4096];
        size_t klen = strlen(key);
        FILE *f = fopen("/proc/self/status", "re");
        long kb = -1;
        if (!f)
                return -1;
        while (fgets(buf, sizeof(buf), f))
                if (strncmp(buf, key, klen) == 0 && buf[klen] == ':') {
                        kb = strtol(buf + klen + 1, NULL, 10);
                        break;
                }
        fclose(f);
        return kb;
}

static long rss_kb(void) { return status_kb("VmRSS"); }

static bool handle(const char *cmd, void *data)
{
        struct first_run *run = data;
        if (strcmp(cmd, "rss") == 0) {
                say("rss %ld", rss_kb());
                return true;
        }
        if (strcmp(cmd, "pageout") == 0) {
                if (madvise(run->p, run->len, MADV_PAGEOUT) < 0)
                        say("error pageout: %s", strerror(errno));
                say("pageout %ld", status_kb("VmSwap"));
                return true;
        }
        return false;
}

#define BLOCK_ALIGN (64u << 10) /* above a page: the aligned chunk starts pages into its mapping */

/* Block i of -c: its size steps from 300 KiB to 4 MiB, its kind cycles through HOW. */
static void *block_make(size_t i, size_t page, const char **how)
{
        size_t size = (300u << 10) + (i * 389u % 16) * (240u << 10);
        unsigned char *p = NULL;

        switch (i % 4) {
        case 0:
                *how = "calloc";
                return calloc(1, size);
        case 1:
                *how = "head";
                if ((p = malloc(size)))
                        memset(p, 0x5a, 64);
                return p;
        case 2:
                *how = "ends";
                if ((p = malloc(size))) {
                        memset(p, 0x6b, 64);
                        memset(p + size - page, 0x6b, page);
                }
                return p;
        default:
                *how = "aligned";
                if (posix_memalign((void **)&p, BLOCK_ALIGN, size) != 0)
                        return NULL;
                memset(p, 0x7c, 64);
                return p;
        }
}

int main(int argc, char **argv)
{
        size_t map_mib = 1024, touch_mib = 16, runs = 16, blocks = 0;
        int opt;

        while ((opt = getopt(argc, argv, "m:t:r:c:")) != -1) {
                switch (opt) {
                case 'm': map_mib = strtoul(optarg, NULL, 0); break;
                case 't': touch_mib = strtoul(optarg, NULL, 0); break;
                case 'r': runs = strtoul(optarg, NULL, 0); break;
                case 'c': blocks = strtoul(optarg, NULL, 0); break;
                default:
                        fprintf(stderr, "usage: sparse [-m MAP_MIB] [-t TOUCH_MIB] [-r RUNS] [-c BLOCKS]\n");
                        return 2;
                }
        }
        if (touch_mib == 0)
                runs = 0;  /* a mapping never touched at all */
        if (!map_mib || touch_mib > map_mib || (touch_mib && (!runs || touch_mib * 256 < runs))) {
                fprintf(stderr, "sparse: need 0 <= TOUCH_MIB <= MAP_MIB, and 0 < RUNS <= pages touched when some are\n");
                return 2;
        }

        size_t size = map_mib << 20;
        unsigned char *region = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (region == MAP_FAILED) {
                perror("sparse: mmap");
                return 1;
        }
        /* Transparent huge pages would turn one touched byte into 2 MiB resident. */
        madvise(region, size, MADV_NOHUGEPAGE);

        say("pid %d", (int)getpid());
        say("region %p %zu", (void *)region, size);

        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        size_t run_len = runs ? ((touch_mib << 20) / runs) & ~(page - 1) : 0;
        size_t stride = runs ? (size / runs) & ~(page - 1) : 0;
        for (size_t r = 0; r < runs; r++) {
                unsigned char *p = region + r * stride;
                unsigned char byte = (unsigned char)(0x40 + r);
                memset(p, byte, run_len);
                say("touched %p %zu 0x%02x", (void *)p, run_len, byte);
        }
        /* Kept for the life of the process: what a core of it must show as mmapped chunks. */
        for (size_t i = 0; i < blocks; i++) {
                const char *how;
                void *b = block_make(i, page, &how);
                if (!b) {
                        perror("sparse: malloc");
                        return 1;
                }
                /* glibc malloc.c: an mmapped chunk's prev_size holds its offset in its mapping. */
                size_t lead = ((const size_t *)b)[-2];
                say("block %p %zu %s %zu", b, malloc_usable_size(b), how, lead);
        }
        if (blocks)
                say_mallinfo2();
        say("rss %ld", rss_kb());
        say("ready");

        struct first_run first = { region, run_len };
        sample_serve(handle, &first);
        return 0;
}
