/* Implementation of syscall_gadget.h: present executable pages, scanned for 0f 05. */
#include "syscall_gadget.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

/* Pages of one mapping looked at, at most: libc's first present text pages hold one. */
#define PAGES_PER_MAPPING 64

size_t syscall_gadget_scan(const uint8_t *buf, size_t len)
{
        for (size_t i = 0; i + 1 < len; i++)
                if (buf[i] == 0x0f && buf[i + 1] == 0x05)
                        return i;
        return SIZE_MAX;
}

static bool executable(const struct map_entry *e)
{
        return e->perms[0] == 'r' && e->perms[2] == 'x';
}

/* Scans the present pages of one mapping. */
static int scan_mapping(const struct map_entry *e, struct pagemap *pm, struct memory_reader *mem, size_t page_size,
                        uint8_t *page, uint64_t *addr)
{
        unsigned looked = 0;
        for (uint64_t a = e->start; a < e->end && looked < PAGES_PER_MAPPING; a += page_size) {
                enum page_state st;
                if (pagemap_page(pm, a, false, &st) < 0 || st != PAGE_PRESENT)
                        continue;
                looked++;
                struct mem_span sp = { a, page_size, page };
                uint64_t bad_before = mem->bad_bytes;
                int r = memory_read_spans(mem, &sp, 1, NULL, NULL);
                if (r < 0)
                        return r;
                if (mem->bad_bytes != bad_before)
                        continue;
                size_t off = syscall_gadget_scan(page, page_size);
                if (off != SIZE_MAX) {
                        *addr = a + off;
                        return 0;
                }
        }
        return -ENOENT;
}

int syscall_gadget_find(const struct map_list *maps, struct pagemap *pm, struct memory_reader *mem,
                        size_t page_size, uint64_t *addr)
{
        _cleanup_free_ uint8_t *page = malloc(page_size);
        if (!page)
                return -ENOMEM;
        /* Two passes: the [vdso], then everything else executable. */
        for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < maps->n; i++) {
                        const struct map_entry *e = &maps->v[i];
                        bool vdso = e->path && strcmp(e->path, "[vdso]") == 0;
                        if (!executable(e) || vdso != (pass == 0))
                                continue;
                        if (e->path && strcmp(e->path, "[vsyscall]") == 0)
                                continue;
                        int r = scan_mapping(e, pm, mem, page_size, page, addr);
                        if (r != -ENOENT)
                                return r;
                }
        }
        return -ENOENT;
}
