/*
 * copy_pattern: memory whose every byte the test knows, laid out to make a
 * capture's copy work hard: a region where one page in seven is never
 * touched (thousands of runs of present pages, more than one system call
 * takes), and a mapping made execute-only after it was filled, which
 * process_vm_readv refuses and only /proc/PID/mem reads.
 *
 * The expected bytes are written to PREFIX.rw and PREFIX.x from the same
 * function that filled the memory (not read back from it: reading the
 * untouched pages would map them), zeros where pages were never touched.
 *
 * Prints:
 *   pid P
 *   rw ADDR LEN      the region with holes
 *   x ADDR LEN       the execute-only mapping
 *   ready
 * and serves the commands of sample_io.h.
 *
 * usage: copy_pattern -o PREFIX [-m RW_MIB]
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "samples/sample_io.h"

#define PAGE 4096
#define X_BYTES ((4u << 20) + 5 * PAGE)

static int touched(size_t page)
{
        return page % 7 != 5;
}

/* The content of one page: 64-bit words numbered from the start of the region, mixed with a seed. */
static void page_bytes(uint64_t *dst, size_t page, uint64_t seed)
{
        for (size_t i = 0; i < PAGE / 8; i++)
                dst[i] = (uint64_t)(page * (PAGE / 8) + i) * 0x9E3779B97F4A7C15ull ^ seed;
}

static int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;
        while (len) {
                ssize_t n = write(fd, p, len);
                if (n <= 0)
                        return -1;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Fills len bytes at m (holes where with_holes says) and writes the same bytes to path. */
static int fill(uint8_t *m, size_t len, uint64_t seed, int with_holes, const char *path)
{
        uint64_t buf[PAGE / 8];
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -1;
        for (size_t p = 0; p < len / PAGE; p++) {
                if (with_holes && !touched(p)) {
                        memset(buf, 0, sizeof(buf));
                } else {
                        page_bytes(buf, p, seed);
                        memcpy(m + p * PAGE, buf, PAGE);
                }
                if (write_all(fd, buf, PAGE) < 0) {
                        close(fd);
                        return -1;
                }
        }
        return close(fd);
}

static bool handle(const char *cmd, void *data)
{
        (void)cmd;
        (void)data;
        return false;
}

int main(int argc, char **argv)
{
        const char *prefix = NULL;
        size_t mib = 64;
        int opt;

        while ((opt = getopt(argc, argv, "o:m:")) != -1) {
                switch (opt) {
                case 'o': prefix = optarg; break;
                case 'm': mib = strtoul(optarg, NULL, 0); break;
                default: prefix = NULL; optind = argc; break;
                }
        }
        if (!prefix || mib < 1) {
                fprintf(stderr, "usage: copy_pattern -o PREFIX [-m RW_MIB]\n");
                return 2;
        }
        size_t rw_len = mib << 20;
        char path[4096];
        uint8_t *rw = mmap(NULL, rw_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        uint8_t *x = mmap(NULL, X_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (rw == MAP_FAILED || x == MAP_FAILED) {
                perror("copy_pattern: mmap");
                return 1;
        }
        /* The last page is touched whatever the pattern, so the core holds the region to its end. */
        snprintf(path, sizeof(path), "%s.rw", prefix);
        if (fill(rw, rw_len, 0x1111, 1, path) < 0) {
                perror("copy_pattern: write");
                return 1;
        }
        if (!touched(rw_len / PAGE - 1)) {
                fprintf(stderr, "copy_pattern: -m %zu leaves the last page untouched\n", mib);
                return 2;
        }
        snprintf(path, sizeof(path), "%s.x", prefix);
        if (fill(x, X_BYTES, 0x2222, 0, path) < 0) {
                perror("copy_pattern: write");
                return 1;
        }
        if (mprotect(x, X_BYTES, PROT_EXEC) < 0) {
                perror("copy_pattern: mprotect");
                return 1;
        }

        say("pid %d", (int)getpid());
        say("rw %p %zu", (void *)rw, rw_len);
        say("x %p %u", (void *)x, X_BYTES);
        say("ready");
        sample_serve(handle, NULL);
        return 0;
}
