/*
 * many_maps: a process with more mappings than an ELF header can count
 * (65535, PN_XNUM), for the extended program header numbering of cores.
 *
 * It maps one region of N pages and makes every other page read-only, so
 * the kernel keeps N separate mappings; page i holds the byte i & 0xff.
 * Needs vm.max_map_count above N.
 *
 * Prints "pid P", "region ADDR PAGES", "ready", then serves sample_io
 * commands.   usage: many_maps [-n PAGES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "samples/sample_io.h"

int main(int argc, char **argv)
{
        size_t pages = 70000;
        int opt;

        while ((opt = getopt(argc, argv, "n:")) != -1) {
                if (opt != 'n') {
                        fprintf(stderr, "usage: many_maps [-n PAGES]\n");
                        return 2;
                }
                pages = strtoul(optarg, NULL, 0);
        }
        size_t ps = (size_t)sysconf(_SC_PAGESIZE);
        unsigned char *region = mmap(NULL, pages * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (region == MAP_FAILED) {
                perror("many_maps: mmap");
                return 1;
        }
        for (size_t i = 0; i < pages; i++)
                memset(region + i * ps, (int)(i & 0xff), ps);
        for (size_t i = 1; i < pages; i += 2)
                if (mprotect(region + i * ps, ps, PROT_READ) < 0) {
                        perror("many_maps: mprotect (raise vm.max_map_count)");
                        return 1;
                }
        say("pid %d", (int)getpid());
        say("region %p %zu", (void *)region, pages);
        say("ready");
        sample_serve(NULL, NULL);
        return 0;
}
