/* Implementation of skipped.h, and the analyze stages that use it (stages.h). */
#include "skipped.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/memsnap_note.h"
#include "common/text_escape.h"
#include "common/units.h"
#include "stages.h"

#define SKIPPED_LINE_WARNINGS_MAX 20 /* malformed lines told one by one; the rest counted */

/*
 * capture/skip_list.h's reasons whose bytes are nowhere: in a swap area,
 * unreadable, in a file that could not be opened, device memory, asked out
 * by the program (MADV_DONTDUMP) or by the user's selection.
 */
bool skipped_reason_loses(const char *reason, size_t len)
{
        static const char *const losing[] = {
                "swapped", "unreadable", "file-error", "io", "dontdump", "kind", "range", "path", "max-size",
        };
        for (size_t i = 0; i < ELEMENTSOF(losing); i++)
                if (strlen(losing[i]) == len && memcmp(losing[i], reason, len) == 0)
                        return true;
        return false;
}

static int range_cmp(const void *x, const void *y)
{
        const struct skipped_range *a = x, *b = y;
        return a->start < b->start ? -1 : a->start > b->start;
}

/* One "START-END<TAB>REASON<TAB>DETAIL" line; 1 when kept, 0 when it loses nothing, -EINVAL, -ENOMEM. */
static int parse_line(const char *p, size_t len, struct skipped_list *out)
{
        char head[64];
        const char *tab = memchr(p, '\t', len);
        if (!tab || (size_t)(tab - p) >= sizeof(head))
                return -EINVAL;
        memcpy(head, p, (size_t)(tab - p));
        head[tab - p] = '\0';
        unsigned long long lo, hi;
        int used = 0;
        if (sscanf(head, "%llx-%llx%n", &lo, &hi, &used) != 2 || head[used] || lo >= hi)
                return -EINVAL;

        const char *reason = tab + 1, *stop = p + len;
        const char *tab2 = memchr(reason, '\t', (size_t)(stop - reason));
        const char *reason_end = tab2 ? tab2 : stop;
        if (reason_end == reason)
                return -EINVAL;
        if (!skipped_reason_loses(reason, (size_t)(reason_end - reason)))
                return 0;

        if (ARRAY_RESERVE(out->v, out->cap, out->n + 1) < 0)
                return -ENOMEM;
        struct skipped_range r = {
                .start = lo, .end = hi,
                .reason = strndup(reason, (size_t)(reason_end - reason)),
                .detail = tab2 ? text_escape_undo(tab2 + 1, (size_t)(stop - tab2 - 1)) : strdup(""),
        };
        if (!r.reason || !r.detail) {
                free(r.reason);
                free(r.detail);
                return -ENOMEM;
        }
        out->v[out->n++] = r;
        return 1;
}

int skipped_parse(const char *text, size_t len, struct skipped_list *out, struct warnings *w)
{
        size_t line = 0, bad = 0;

        for (const char *p = text, *stop = text + len; p < stop;) {
                const char *nl = memchr(p, '\n', (size_t)(stop - p));
                const char *eol = nl ? nl : stop;
                line++;
                if (eol > p) {
                        int r = parse_line(p, (size_t)(eol - p), out);
                        if (r == -ENOMEM)
                                return r;
                        if (r == -EINVAL && bad++ < SKIPPED_LINE_WARNINGS_MAX)
                                warnings_add(w, "skipped", 0,
                                             "line %zu of the MEMSNAP skipped note is not START-END<TAB>REASON<TAB>DETAIL; what it lists is not known",
                                             line);
                }
                p = nl ? nl + 1 : stop;
        }
        if (bad > SKIPPED_LINE_WARNINGS_MAX)
                warnings_add(w, "skipped", 0, "%zu malformed lines in all in the MEMSNAP skipped note", bad);

        qsort_safe(out->v, out->n, sizeof(*out->v), range_cmp);
        for (size_t i = 0; i < out->n; i++) {
                struct skipped_range *r = &out->v[i];
                r->reach = i ? MAX(out->v[i - 1].reach, r->end) : r->end;
                char size[UNITS_BUF_MAX];
                warnings_add(w, "skipped", r->start,
                             "0x%llx-0x%llx (%s) is not in the core: memsnap capture left it out as '%s'%s%s%s; its bytes are unknown, not zeros",
                             (unsigned long long)r->start, (unsigned long long)r->end,
                             units_format_bytes(size, r->end - r->start), r->reason, *r->detail ? " (" : "", r->detail,
                             *r->detail ? ")" : "");
        }
        return 0;
}

const struct skipped_range *skipped_find(const struct skipped_list *l, uint64_t addr)
{
        size_t lo = 0, hi = l->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (l->v[mid].start <= addr)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        /* Back from the last range starting at or below addr, while an earlier one may still reach it. */
        for (size_t i = lo; i-- > 0 && l->v[i].reach > addr;)
                if (addr < l->v[i].end)
                        return &l->v[i];
        return NULL;
}

void skipped_explain_warnings(const struct skipped_list *l, struct warnings *w, skipped_next_fn next, void *ud,
                              struct skipped_explained *undo)
{
        if (!l->n)
                return;
        for (size_t i = 0; i < w->n; i++) {
                struct warning *wr = &w->v[i];
                if (!wr->address || strcmp(wr->stage, "skipped") == 0)
                        continue;
                uint64_t at = wr->address;
                const struct skipped_range *r = skipped_find(l, at);
                const char *what = "";
                if (!r && next && (at = next(ud, wr->address)) != 0) {
                        r = skipped_find(l, at);
                        what = "the next chunk's header ";
                }
                if (!r)
                        continue;
                char *msg;
                if (asprintf(&msg, "%s; %s0x%llx is in 0x%llx-0x%llx, which memsnap capture left out of the core as '%s': its bytes are unknown, not zeros",
                             wr->message, what, (unsigned long long)at, (unsigned long long)r->start,
                             (unsigned long long)r->end, r->reason) < 0)
                        continue; /* out of memory: the warning stays as it was */
                if (!undo) {
                        free(wr->message);
                } else if (ARRAY_RESERVE(undo->v, undo->cap, undo->n + 1) < 0) {
                        free(msg);
                        continue;
                } else {
                        undo->v[undo->n++] = (struct skipped_original){ i, wr->message };
                }
                wr->message = msg;
        }
}

void skipped_explained_undo(struct skipped_explained *undo, struct warnings *w)
{
        for (size_t k = undo->n; k-- > 0;) {
                struct skipped_original *o = &undo->v[k];
                if (o->warning < w->n) {
                        free(w->v[o->warning].message);
                        w->v[o->warning].message = o->message;
                } else {
                        free(o->message);
                }
        }
        free(undo->v);
        *undo = (struct skipped_explained){ 0 };
}

void skipped_list_free(struct skipped_list *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].reason);
                free(l->v[i].detail);
        }
        free(l->v);
        *l = (struct skipped_list){ 0 };
}

int skipped_read(struct analysis *a)
{
        const struct core_note *n = core_find_note(&a->core, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SKIPPED);
        if (!n)
                return 0;
        int r = skipped_parse((const char *)n->desc, n->descsz, &a->skipped, &a->warnings);
        if (r < 0)
                return log_error_errno(r, "cannot analyze '%s': %m", a->opt.core_path);
        return 0;
}

/* skipped_next_fn over the heap walk's chunks (sorted by address). */
static uint64_t chunk_next(void *ud, uint64_t address)
{
        const struct analysis *a = ud;
        size_t lo = 0, hi = a->heap.nchunks;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (a->heap.chunks[mid].address < address)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo == a->heap.nchunks || a->heap.chunks[lo].address != address || a->heap.chunks[lo].size > UINT64_MAX - address)
                return 0;
        return address + a->heap.chunks[lo].size;
}

int skipped_explain(struct analysis *a)
{
        skipped_explain_warnings(&a->skipped, &a->warnings, chunk_next, a, &a->explained);
        return 0;
}

void skipped_explain_reset(struct analysis *a)
{
        skipped_explained_undo(&a->explained, &a->warnings);
}

void skipped_reset(struct analysis *a)
{
        skipped_list_free(&a->skipped);
}
