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
 *   ready
 * and serves commands on stdin (see sample_io.h); "rss" prints "rss KB".
 *
 * usage: sparse [-m MAP_MIB] [-t TOUCH_MIB] [-r RUNS]
 *   the touched MiB are spread over RUNS runs across the region (default 16)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sample_io.h"

static long rss_kb(void)
{
        char buf[4096];
        FILE *f = fopen("/proc/self/status", "re");
        long kb = -1;
        if (!f)
                return -1;
        while (fgets(buf, sizeof(buf), f))
                if (sscanf(buf, "VmRSS: %ld kB", &kb) == 1)
                        break;
        fclose(f);
        return kb;
}

static bool handle(const char *cmd, void *data)
{
        (void)data;
        if (strcmp(cmd, "rss") == 0) {
                say("rss %ld", rss_kb());
                return true;
        }
        return false;
}

int main(int argc, char **argv)
{
        size_t map_mib = 1024, touch_mib = 16, runs = 16;
        int opt;

        while ((opt = getopt(argc, argv, "m:t:r:")) != -1) {
                switch (opt) {
                case 'm': map_mib = strtoul(optarg, NULL, 0); break;
                case 't': touch_mib = strtoul(optarg, NULL, 0); break;
                case 'r': runs = strtoul(optarg, NULL, 0); break;
                default:
                        fprintf(stderr, "usage: sparse [-m MAP_MIB] [-t TOUCH_MIB] [-r RUNS]\n");
                        return 2;
                }
        }
        if (!map_mib || touch_mib > map_mib || !runs || touch_mib * 256 < runs) {
                fprintf(stderr, "sparse: need 0 < TOUCH_MIB <= MAP_MIB and RUNS <= pages touched\n");
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
        size_t run_len = ((touch_mib << 20) / runs) & ~(page - 1);
        size_t stride = (size / runs) & ~(page - 1);
        for (size_t r = 0; r < runs; r++) {
                unsigned char *p = region + r * stride;
                unsigned char byte = (unsigned char)(0x40 + r);
                memset(p, byte, run_len);
                say("touched %p %zu 0x%02x", (void *)p, run_len, byte);
        }
        say("rss %ld", rss_kb());
        say("ready");

        sample_serve(handle, NULL);
        return 0;
}
