/* Implementation of pagemap.h: slices of entries folded into runs. */
#include "pagemap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/io.h"

int pagemap_open_fd(struct pagemap *pm, int fd, size_t page_size)
{
        pm->fd = fd;
        pm->page_size = page_size;
        pm->slice = malloc(PAGEMAP_SLICE_ENTRIES * sizeof(uint64_t));
        if (!pm->slice) {
                close(fd);
                pm->fd = -1;
                return -ENOMEM;
        }
        return 0;
}

int pagemap_open(struct pagemap *pm, int dirfd, size_t page_size)
{
        int fd = openat(dirfd, "pagemap", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return pagemap_open_fd(pm, fd, page_size);
}

void pagemap_close(struct pagemap *pm)
{
        if (pm->fd >= 0)
                close(pm->fd);
        pm->fd = -1;
        free(pm->slice);
        pm->slice = NULL;
}

/* Reads n entries for the pages from addr; short only at a read error. */
static int read_entries(struct pagemap *pm, uint64_t *dst, uint64_t addr, size_t n)
{
        off_t off = (off_t)(addr / pm->page_size * sizeof(uint64_t));
        ssize_t r = pread_full(pm->fd, dst, n * sizeof(uint64_t), off);
        if (r < 0)
                return (int)r;
        /* fs/proc/task_mmu.c pagemap_read: nothing at all once the mm is gone. */
        return (size_t)r == n * sizeof(uint64_t) ? 0 : -ESRCH;
}

int pagemap_walk(struct pagemap *pm, uint64_t start, uint64_t end, pagemap_run_fn fn, void *ud)
{
        const uint64_t ps = pm->page_size;
        bool have_run = false;
        enum page_state run_state = PAGE_ABSENT;
        uint64_t run_start = start;

        /* A page cut by start or end counts whole; runs are clipped to [start, end). */
        for (uint64_t addr = start - start % ps; addr < end;) {
                uint64_t pages = (end - addr) / ps + ((end - addr) % ps != 0);
                size_t n = pages > PAGEMAP_SLICE_ENTRIES ? PAGEMAP_SLICE_ENTRIES : (size_t)pages;
                int r = read_entries(pm, pm->slice, addr, n);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++) {
                        enum page_state st = pagemap_state(pm->slice[i]);
                        uint64_t a = MAX(addr + i * ps, start);
                        if (have_run && st == run_state)
                                continue;
                        if (have_run) {
                                r = fn(ud, run_start, a, run_state);
                                if (r < 0)
                                        return r;
                        }
                        have_run = true;
                        run_state = st;
                        run_start = a;
                }
                addr += n * ps;
        }
        if (have_run)
                return fn(ud, run_start, end, run_state);
        return 0;
}

int pagemap_page(struct pagemap *pm, uint64_t addr, enum page_state *state)
{
        uint64_t entry;
        int r = read_entries(pm, &entry, addr - addr % pm->page_size, 1);
        if (r < 0)
                return r;
        *state = pagemap_state(entry);
        return 0;
}
