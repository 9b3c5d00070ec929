/* Implementation of dump_plan.h: pagemap runs turned into items. */
#include "dump_plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/strbuf.h"

struct walk {
        struct dump_plan *dp;
        const struct dump_plan_input *in;
        size_t seg;
        const struct map_entry *e;
        const struct segment_plan *p;
        uint64_t data_end;      /* end of the last item of this mapping */
        bool run_failed;        /* on_run stopped the page map walk (out of memory) */
        bool logged;            /* the error being returned was logged */
};

static int add_item(struct dump_plan *dp, const struct dump_item *it)
{
        if (ARRAY_RESERVE(dp->v, dp->cap, dp->n + 1) < 0)
                return -ENOMEM;
        dp->v[dp->n++] = *it;
        return 0;
}

static int add_memory(struct walk *w, uint64_t start, uint64_t end)
{
        for (uint64_t a = start; a < end;) {
                uint64_t len = MIN(end - a, (uint64_t)DUMP_ITEM_MAX);
                struct dump_item it = { .addr = a, .len = len, .seg = (uint32_t)w->seg, .src = DUMP_SRC_MEMORY };
                int r = add_item(w->dp, &it);
                if (r < 0)
                        return r;
                w->dp->memory_bytes += len;
                a += len;
        }
        w->data_end = end;
        return 0;
}

/* Absent pages of a file mapping: the file's bytes, up to its end. */
static int add_file(struct walk *w, uint64_t start, uint64_t end)
{
        const struct map_entry *e = w->e;
        const struct backing_file *f = backing_file_get(w->in->files, e);
        if (!f)
                return -ENOMEM;
        if (f->fd < 0)
                return skip_list_add(w->in->skips, start, end, SKIP_FILE_ERROR, "cannot open %s: %s", e->path,
                                     strerror(f->err));

        uint64_t off = e->offset + (start - e->start);
        uint64_t in_file = off >= f->size ? 0 : MIN(end - start, ALIGN_UP(f->size - off, (uint64_t)w->in->page_size));
        if (in_file) {
                struct dump_item it = {
                        .addr = start, .len = in_file, .seg = (uint32_t)w->seg, .src = DUMP_SRC_FILE,
                        .file = (uint32_t)(f - w->in->files->v), .file_off = off,
                };
                int r = add_item(w->dp, &it);
                if (r < 0)
                        return r;
                w->dp->file_bytes += in_file;
                w->data_end = start + in_file;
        }
        return skip_list_add(w->in->skips, start + in_file, end, SKIP_BEYOND_EOF,
                             "%s: past the end of the file (%llu bytes); the process would get SIGBUS", e->path,
                             (unsigned long long)f->size);
}

/* Absent pages of the vDSO: the same image is mapped in memsnap. */
static int add_vdso(struct walk *w, uint64_t start, uint64_t end)
{
        const struct dump_plan_input *in = w->in;
        uint64_t off = start - w->e->start;

        if (!in->own_vdso || in->own_vdso_len != w->e->end - w->e->start)
                return skip_list_add(in->skips, start, end, SKIP_UNREADABLE,
                                     "[vdso] pages not faulted in, and memsnap's own vDSO differs in size");
        struct dump_item it = {
                .addr = start, .len = end - start, .seg = (uint32_t)w->seg, .src = DUMP_SRC_LOCAL,
                .data = (uint8_t *)in->own_vdso + off,
        };
        int r = add_item(w->dp, &it);
        if (r == 0)
                w->data_end = end;
        return r;
}

static bool is_vdso(const struct map_entry *e)
{
        return e->path && strcmp(e->path, "[vdso]") == 0;
}

/* smaps VmFlags (fs/proc/task_mmu.c show_smap_vma_flags): um, uw, ui mark a range registered with userfaultfd. */
static bool in_userfaultfd(const struct map_entry *e)
{
        if (!e->vm_flags)
                return true; /* unknown: the read that could hang is not risked */
        for (const char *p = e->vm_flags; *p;) {
                size_t n = strcspn(p, " ");
                if (n == 2 && p[0] == 'u' && (p[1] == 'm' || p[1] == 'w' || p[1] == 'i'))
                        return true;
                p += n;
                p += strspn(p, " ");
        }
        return false;
}

/* Whether smaps lets the mapping hold swapped pages (pagemap_state's mapping_swap). */
static bool may_swap(const struct map_entry *e) { return e->swap_kb != 0; }

static int plan_run(struct walk *w, uint64_t start, uint64_t end, enum page_state state)
{
        switch (state) {
        case PAGE_PRESENT:
                return add_memory(w, start, end);
        case PAGE_SWAPPED:
                if (w->in->read_swapped)
                        return add_memory(w, start, end);
                return skip_list_add(w->in->skips, start, end, SKIP_SWAPPED,
                                     "swapped out; reading it would swap it in (--read-swapped reads it)");
        case PAGE_MOVING:
                /*
                 * Not in swap: a read waits for a migration to end.  But a
                 * PTE marker in a userfaultfd range would have the read wait
                 * for the target's own handler, which is stopped.
                 */
                if (in_userfaultfd(w->e))
                        return skip_list_add(w->in->skips, start, end, SKIP_UNREADABLE,
                                             "not present, in a userfaultfd range: a read would wait for the stopped process's handler");
                return add_memory(w, start, end);
        case PAGE_GUARD:
                return skip_list_add(w->in->skips, start, end, SKIP_GUARD, "guard region (MADV_GUARD_INSTALL)");
        case PAGE_ABSENT:
                if (w->p->file_pages)
                        return add_file(w, start, end);
                if (is_vdso(w->e))
                        return add_vdso(w, start, end);
                return 0; /* never touched: a hole of zeros */
        }
        return 0;
}

/* pagemap_walk's callback: its errors are running out of memory, told apart from the walk's own. */
static int on_run(void *ud, uint64_t start, uint64_t end, enum page_state state)
{
        struct walk *w = ud;
        int r = plan_run(w, start, end, state);
        if (r < 0)
                w->run_failed = true;
        return r;
}

/* A failed read of the page map: said here, but for a process that is gone (the caller says that). */
static int page_map_error(struct walk *w, int r)
{
        if (r == -ESRCH)
                return r;
        w->logged = true;
        return log_error_errno(r, "cannot read the page map of %llx-%llx: %m", (unsigned long long)w->e->start,
                               (unsigned long long)w->e->end);
}

/*
 * The ELF header page of an unchanged file mapping: from memory when it is
 * present, else from the file (which holds the same bytes), so it is in the
 * core either way or, when the file cannot be read, in the skip list.
 */
static int plan_first_page(struct walk *w)
{
        const uint64_t ps = w->in->page_size;
        const uint64_t start = w->e->start, first_end = MIN(start + ps, w->e->end);
        enum page_state st = PAGE_ABSENT;

        /* smaps's Rss 0: no page is present, the page map need not be asked. */
        int r = w->e->rss_kb == 0 ? 0 : pagemap_page(w->in->pagemap, start, may_swap(w->e), &st);
        if (r < 0)
                return page_map_error(w, r);
        r = st == PAGE_PRESENT ? add_memory(w, start, first_end) : add_file(w, start, first_end);
        if (r < 0)
                return r;
        _cleanup_strbuf_ struct strbuf detail = STRBUF_INIT;
        segment_plan_describe(w->p, w->e, w->in->select, first_end, &detail);
        if (strbuf_failed(&detail))
                return -ENOMEM;
        return skip_list_add(w->in->skips, first_end, w->e->end, w->p->reason, "%s", strbuf_str(&detail));
}

int dump_plan_build(struct dump_plan *dp, const struct dump_plan_input *in)
{
        const struct map_list *maps = in->maps;

        memset(dp, 0, sizeof(*dp));
        dp->filesz = calloc(maps->n ? maps->n : 1, sizeof(*dp->filesz));
        if (!dp->filesz)
                return log_error_errno(ENOMEM, "cannot plan the capture: %m");

        for (size_t i = 0; i < maps->n; i++) {
                const struct map_entry *e = &maps->v[i];
                const struct segment_plan *p = &in->plans[i];
                struct walk w = { .dp = dp, .in = in, .seg = i, .e = e, .p = p, .data_end = e->start };
                int r = 0;

                if (p->mode == DUMP_NONE) {
                        _cleanup_strbuf_ struct strbuf detail = STRBUF_INIT;
                        segment_plan_describe(p, e, in->select, e->start, &detail);
                        r = strbuf_failed(&detail) ? -ENOMEM
                                                   : skip_list_add(in->skips, e->start, e->end, p->reason, "%s", strbuf_str(&detail));
                } else if (p->mode == DUMP_FIRST_PAGE) {
                        r = plan_first_page(&w);
                } else if (e->rss_kb >= 0 && (uint64_t)e->rss_kb * 1024 == e->end - e->start && e->swap_kb == 0) {
                        /* smaps says every page is resident: no page map needed. */
                        r = add_memory(&w, e->start, e->end);
                } else if (p->file_pages || e->rss_kb != 0 || e->swap_kb != 0 || is_vdso(e)) {
                        /* smaps says an anonymous mapping with no Rss and no Swap has nothing to read. */
                        r = pagemap_walk(in->pagemap, e->start, e->end, may_swap(e), on_run, &w);
                        if (r < 0 && !w.run_failed)
                                r = page_map_error(&w, r);
                }
                /* What is left unsaid is running out of memory in here. */
                if (r < 0)
                        return r == -ESRCH || w.logged ? r : log_error_errno(r, "cannot plan the capture: %m");
                dp->filesz[i] = w.data_end - e->start;
        }
        return 0;
}

void dump_plan_free(struct dump_plan *dp)
{
        free(dp->v);
        free(dp->filesz);
        memset(dp, 0, sizeof(*dp));
}
