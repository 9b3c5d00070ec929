/* Implementation of pagemap.h: slices of entries folded into runs. */
#include "pagemap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/io.h"
#include "proc_read.h"

enum page_state pagemap_state(uint64_t entry, int swap_areas, bool mapping_swap)
{
        if (entry & PAGEMAP_PRESENT)
                return PAGE_PRESENT;
        if (!(entry & PAGEMAP_SWAPPED))
                return PAGE_ABSENT;
        if (entry & PAGEMAP_GUARD_REGION)
                return PAGE_GUARD;
        if (swap_areas == 0)
                return PAGE_MOVING;
        if (!(entry & PAGEMAP_FRAME_MASK)) /* the type is hidden from us */
                return mapping_swap ? PAGE_SWAPPED : PAGE_MOVING;
        if ((entry & PAGEMAP_TYPE_MASK) < PAGEMAP_SWAP_TYPES_SURE || swap_areas > PAGEMAP_SWAP_TYPES_SURE)
                return PAGE_SWAPPED;
        return PAGE_MOVING;
}

int pagemap_swap_areas_parse(const char *text, size_t len)
{
        int lines = 0;
        for (const char *p = text, *stop = text + len; p < stop;) {
                const char *nl = memchr(p, '\n', (size_t)(stop - p));
                const char *eol = nl ? nl : stop;
                if (eol > p)
                        lines++;
                p = nl ? nl + 1 : stop;
        }
        /* mm/swapfile.c swap_show: the "Filename Type Size Used Priority" header, then one line per area. */
        return lines > 0 ? lines - 1 : 0;
}

int pagemap_swap_areas_read(void)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        if (proc_read_at(AT_FDCWD, "/proc/swaps", &text, &len) < 0)
                return PAGEMAP_SWAP_AREAS_UNKNOWN;
        return pagemap_swap_areas_parse(text, len);
}

int pagemap_open_fd(struct pagemap *pm, int fd, size_t page_size)
{
        pm->fd = fd;
        pm->swap_areas = PAGEMAP_SWAP_AREAS_UNKNOWN;
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
        ssize_t r = io_pread_full(pm->fd, dst, n * sizeof(uint64_t), off);
        if (r < 0)
                return (int)r;
        /* fs/proc/task_mmu.c pagemap_read: nothing at all once the mm is gone. */
        return (size_t)r == n * sizeof(uint64_t) ? 0 : -ESRCH;
}

int pagemap_walk(struct pagemap *pm, uint64_t start, uint64_t end, bool mapping_swap, pagemap_run_fn fn, void *ud)
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
                        enum page_state st = pagemap_state(pm->slice[i], pm->swap_areas, mapping_swap);
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

int pagemap_page(struct pagemap *pm, uint64_t addr, bool mapping_swap, enum page_state *state)
{
        uint64_t entry;
        int r = read_entries(pm, &entry, addr - addr % pm->page_size, 1);
        if (r < 0)
                return r;
        *state = pagemap_state(entry, pm->swap_areas, mapping_swap);
        return 0;
}
