/*
 * `memsnap diff` for people: what the engineer chasing a leak reads first
 * comes first.  The two snapshots, a summary, the new definite leaks (with
 * the thread that likely made each and its first bytes, which often say
 * what it was), growth by type and size class, blocks that changed, the
 * mappings that came, went or moved, memory by kind, and threads.  Tables
 * are drawn by the same printer as `query` and `report`.
 */
#include "diff_output.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "common/units.h"
#include "output_format.h"

/* Bytes of a block's head the text shows: one line's worth. */
#define HEAD_SHOWN 16

struct text {
        struct output o;
        const struct diff_print_options *opt;
};

static int section(struct text *t, const char *title, bool vertical, const char *const *names, size_t n)
{
        return output_set_begin(&t->o, title, vertical, names, n);
}

/* "... and 12 more" under a list cut at the limit. */
static void more_note(struct text *t, size_t shown, size_t total)
{
        if (shown < total)
                fprintf(t->opt->out, "... and %zu more (--limit 0 lists all)\n", total - shown);
}

static int print_sides(struct text *t, const struct diff *d)
{
        static const char *const names[] = { "snapshot", "path", "pid", "captured_at", "source", "threads",
                                             "used_blocks", "used_bytes" };
        const struct diff_side *sides[] = { &d->before, &d->after };
        int r = section(t, "snapshots", false, names, ELEMENTSOF(names));

        for (size_t i = 0; r == 0 && i < 2; i++) {
                const struct diff_side *s = sides[i];
                struct output_cell c[] = {
                        output_cell_text(i ? "after" : "before"), output_cell_text(s->path), cell_int(s->pid),
                        output_cell_text(s->captured_at), output_cell_text(s->source), cell_int(s->threads),
                        cell_int(s->used_chunks), cell_int(s->used_bytes),
                };
                r = output_set_row(&t->o, c);
        }
        return r < 0 ? r : output_set_end(&t->o);
}

static int print_summary(struct text *t, const struct diff *d)
{
        static const char *const names[] = {
                "new_definite_leaks", "new_definite_leak_bytes", "added_blocks", "added_bytes",
                "removed_blocks", "removed_bytes", "changed_blocks", "used_bytes_delta",
        };
        const struct diff_summary *s = &d->summary;
        struct output_cell c[] = {
                cell_int((int64_t)diff_new_leaks(d)),
                cell_int((int64_t)(s->leaked_added_bytes + s->leaked_changed_bytes)),
                cell_int((int64_t)s->added), cell_int((int64_t)s->added_bytes),
                cell_int((int64_t)s->removed), cell_int((int64_t)s->removed_bytes),
                cell_int((int64_t)s->changed), cell_int(d->after.used_bytes - d->before.used_bytes),
        };
        int r = section(t, "summary", true, names, ELEMENTSOF(names));
        if (r == 0)
                r = output_set_row(&t->o, c);
        return r < 0 ? r : output_set_end(&t->o);
}

static void head_hex(const struct diff_chunk *c, char *buf, size_t size)
{
        size_t n = 0, shown = MIN((size_t)c->head_len, (size_t)HEAD_SHOWN);
        buf[0] = '\0';
        for (size_t i = 0; i < shown && n + 4 < size; i++)
                n += (size_t)snprintf(buf + n, size - n, "%s%02x", i && i % 4 == 0 ? " " : "", c->head[i]);
}

static void head_text(const struct diff_chunk *c, char *buf, size_t size)
{
        size_t shown = MIN(MIN((size_t)c->head_len, (size_t)HEAD_SHOWN), size - 1);
        for (size_t i = 0; i < shown; i++)
                buf[i] = isprint(c->head[i]) ? (char)c->head[i] : '.';
        buf[shown] = '\0';
}

static void thread_label(const struct diff_side *s, const struct diff_chunk *c, char *buf, size_t size)
{
        int64_t tid = diff_side_chunk_thread(s, c);
        const char *name = tid ? diff_side_thread_name(s, tid) : NULL;
        buf[0] = '\0';
        if (tid)
                snprintf(buf, size, "%" PRId64 "%s%s", tid, name ? " " : "", name ? name : "");
}

static int print_new_leaks(struct text *t, const struct diff *d)
{
        static const char *const names[] = { "mem", "size", "how", "thread", "type", "first_bytes", "text" };
        size_t total = diff_new_leaks(d);
        int r;

        /* d->leaks holds the largest, in the order listed (diff_chunks) */
        r = section(t, "new definite leaks", false, names, ELEMENTSOF(names));
        size_t shown = t->opt->limit ? MIN(d->nleaks, t->opt->limit) : d->nleaks;
        for (size_t i = 0; r == 0 && i < shown; i++) {
                const struct diff_leak_entry *e = &d->leaks[i];
                const struct diff_chunk *c = &e->c;
                char how[32], thread[64], hex[48], text[HEAD_SHOWN + 1];
                if (e->changed) {
                        const char *was = schema_enum_text(&schema_enum_leak, e->before_leak);
                        snprintf(how, sizeof(how), "was %s", was ? was : "unknown");
                } else
                        snprintf(how, sizeof(how), "added");
                thread_label(&d->after, c, thread, sizeof(thread));
                head_hex(c, hex, sizeof(hex));
                head_text(c, text, sizeof(text));
                struct output_cell cells[] = {
                        cell_int((int64_t)c->mem), cell_int((int64_t)c->size), output_cell_text(how),
                        thread[0] ? output_cell_text(thread) : cell_null(), output_cell_text(c->type),
                        c->has_head ? output_cell_text(hex) : cell_null(), c->has_head ? output_cell_text(text) : cell_null(),
                };
                r = output_set_row(&t->o, cells);
        }
        if (r == 0)
                r = output_set_end(&t->o);
        if (r == 0)
                more_note(t, shown, total);
        return r;
}

/*
 * Under the growth table, the same growth attributed to who holds it, one
 * line per root holder: "+400 MiB retained by static g_cache in libfoo.so".
 */
static int print_owner_growth(struct text *t, const struct diff *d)
{
        size_t shown = t->opt->limit ? MIN(d->nowners, t->opt->limit) : d->nowners;
        FILE *f = t->opt->out;

        for (size_t i = 0; i < shown; i++) {
                const struct diff_owner *o = &d->owners[i];
                int64_t delta = o->retained_after - o->retained_before;
                uint64_t size = delta < 0 ? -(uint64_t)delta : (uint64_t)delta;
                char buf[UNITS_BUF_MAX];
                /* names come from the files (symbols, paths, thread names): escaped before a terminal sees them */
                _cleanup_free_ char *name = text_escape_display(o->name);
                if (!name)
                        return log_error_errno(ENOMEM, "cannot print the diff: %m");
                if (t->opt->human)
                        fprintf(f, "%c%s retained by %s\n", delta < 0 ? '-' : '+', units_format_bytes(buf, size), name);
                else
                        fprintf(f, "%c%" PRIu64 " bytes retained by %s\n", delta < 0 ? '-' : '+', size, name);
        }
        more_note(t, shown, d->nowners);
        return ferror(f) ? -EIO : 0;
}

static int print_growth(struct text *t, const struct diff *d)
{
        static const char *const names[] = { "key", "before_count", "after_count", "count_delta", "before_bytes",
                                             "after_bytes", "bytes_delta" };
        size_t shown = t->opt->limit ? MIN(d->ngrowth, t->opt->limit) : d->ngrowth;
        int r = section(t, "growth by type and size class (used blocks)", false, names, ELEMENTSOF(names));

        for (size_t i = 0; r == 0 && i < shown; i++) {
                const struct diff_growth *g = &d->growth[i];
                char key[160], size[UNITS_BUF_MAX];
                if (g->type)
                        snprintf(key, sizeof(key), "type %s", g->type);
                else if (t->opt->human)
                        snprintf(key, sizeof(key), "size class %s", units_format_bytes(size, (uint64_t)g->size_class));
                else
                        snprintf(key, sizeof(key), "size class %" PRId64, g->size_class);
                struct output_cell c[] = {
                        output_cell_text(key), cell_int(g->count_before), cell_int(g->count_after),
                        cell_int(g->count_after - g->count_before), cell_int(g->bytes_before), cell_int(g->bytes_after),
                        cell_int(g->bytes_after - g->bytes_before),
                };
                r = output_set_row(&t->o, c);
        }
        if (r == 0)
                r = output_set_end(&t->o);
        if (r == 0)
                more_note(t, shown, d->ngrowth);
        if (r == 0)
                r = print_owner_growth(t, d);
        return r;
}

/* Changed blocks that are not already listed as new leaks. */
static int print_changed(struct text *t, const struct diff *d)
{
        static const char *const names[] = { "mem", "what", "before_size", "after_size", "before_leak", "after_leak",
                                             "before_arena", "after_arena" };
        /* every changed block is counted; d->changed holds the first of them (diff_chunks) */
        size_t total = d->summary.changed - d->summary.leaked_changed, shown = 0;
        int r = section(t, "changed blocks", false, names, ELEMENTSOF(names));

        for (size_t i = 0; r == 0 && i < d->nchanged; i++) {
                const struct diff_changed *c = &d->changed[i];
                if (diff_changed_is_new_leak(c))
                        continue;
                if (t->opt->limit && shown >= t->opt->limit)
                        break;
                /* one name per set of changes; a pair that changed nothing is not listed */
                static const char *const whats[8] = {
                        [DIFF_CHANGED_SIZE] = "size",
                        [DIFF_CHANGED_ARENA] = "arena",
                        [DIFF_CHANGED_LEAK] = "leak",
                        [DIFF_CHANGED_SIZE | DIFF_CHANGED_ARENA] = "size arena",
                        [DIFF_CHANGED_SIZE | DIFF_CHANGED_LEAK] = "size leak",
                        [DIFF_CHANGED_ARENA | DIFF_CHANGED_LEAK] = "arena leak",
                        [DIFF_CHANGED_SIZE | DIFF_CHANGED_ARENA | DIFF_CHANGED_LEAK] = "size arena leak",
                };
                const char *what = whats[c->what & 7] ? whats[c->what & 7] : "";
                struct output_cell cells[] = {
                        cell_int((int64_t)c->after.mem), output_cell_text(what),
                        cell_int((int64_t)c->before.size), cell_int((int64_t)c->after.size),
                        output_cell_text(schema_enum_text(&schema_enum_leak, c->before.leak)),
                        output_cell_text(schema_enum_text(&schema_enum_leak, c->after.leak)),
                        c->before.arena_id >= 0 ? cell_int(c->before.arena_id) : output_cell_text("mmapped"),
                        c->after.arena_id >= 0 ? cell_int(c->after.arena_id) : output_cell_text("mmapped"),
                };
                r = output_set_row(&t->o, cells);
                shown++;
        }
        if (r == 0)
                r = output_set_end(&t->o);
        if (r == 0)
                more_note(t, shown, total);
        return r;
}

static int print_segments(struct text *t, const struct diff *d)
{
        static const char *const names[] = { "change", "start", "end", "size", "size_delta", "kind", "perms",
                                             "mapping" };
        static const char *const change[] = { "added", "removed", "resized" };
        size_t shown = t->opt->limit ? MIN(d->nsegments, t->opt->limit) : d->nsegments;
        int r = section(t, "mappings", false, names, ELEMENTSOF(names));

        for (size_t i = 0; r == 0 && i < shown; i++) {
                const struct diff_segment_delta *x = &d->segments[i];
                const struct diff_segment *s = x->change == DIFF_SEG_REMOVED ? &x->before : &x->after;
                int64_t size = (int64_t)(s->end - s->start);
                int64_t delta = x->change == DIFF_SEG_ADDED     ? size
                                : x->change == DIFF_SEG_REMOVED ? -size
                                                                : size - (int64_t)(x->before.end - x->before.start);
                struct output_cell c[] = {
                        output_cell_text(change[x->change]), cell_int((int64_t)s->start), cell_int((int64_t)s->end),
                        cell_int(size), cell_int(delta), output_cell_text(s->kind), output_cell_text(s->perms),
                        output_cell_text(s->path ? s->path : "[ anon ]"),
                };
                r = output_set_row(&t->o, c);
        }
        if (r == 0)
                r = output_set_end(&t->o);
        if (r == 0)
                more_note(t, shown, d->nsegments);
        return r;
}

static struct output_cell kb_or_null(int64_t v) { return v >= 0 ? cell_int(v) : cell_null(); }

static int print_kinds(struct text *t, const struct diff *d)
{
        static const char *const names[] = { "kind", "before_virt_kb", "after_virt_kb", "virt_kb_delta",
                                             "before_rss_kb", "after_rss_kb", "rss_kb_delta" };
        int r = section(t, "memory by kind (top, pmap)", false, names, ELEMENTSOF(names));

        for (size_t i = 0; r == 0 && i < d->nkinds; i++) {
                const struct diff_kind *k = &d->kinds[i];
                bool rss = k->rss_kb_before >= 0 && k->rss_kb_after >= 0;
                struct output_cell c[] = {
                        output_cell_text(k->kind), cell_int(k->virt_kb_before), cell_int(k->virt_kb_after),
                        cell_int(k->virt_kb_after - k->virt_kb_before), kb_or_null(k->rss_kb_before),
                        kb_or_null(k->rss_kb_after), rss ? cell_int(k->rss_kb_after - k->rss_kb_before) : cell_null(),
                };
                r = output_set_row(&t->o, c);
        }
        return r < 0 ? r : output_set_end(&t->o);
}

static int print_threads(struct text *t, const struct diff *d)
{
        static const char *const names[] = { "change", "tid", "name", "function" };
        size_t shown = t->opt->limit ? MIN(d->nthreads, t->opt->limit) : d->nthreads;
        int r = section(t, "threads", false, names, ELEMENTSOF(names));

        for (size_t i = 0; r == 0 && i < shown; i++) {
                const struct diff_thread *th = &d->threads[i];
                struct output_cell c[] = {
                        output_cell_text(th->added ? "added" : "removed"), cell_int(th->tid), output_cell_text(th->name),
                        output_cell_text(th->function),
                };
                r = output_set_row(&t->o, c);
        }
        if (r == 0)
                r = output_set_end(&t->o);
        if (r == 0)
                more_note(t, shown, d->nthreads);
        return r;
}

int diff_text_print(const struct diff *d, const struct diff_print_options *opt)
{
        struct output_options oo = {
                .format = output_format_find("table"),
                .out = opt->out,
                .header = true,
                .hex = true,
                .human = opt->human,
                .color = opt->color,
        };
        struct text t = { .opt = opt };
        int r;

        output_init(&t.o, &oo, true);
        r = output_doc_begin(&t.o);
        if (r == 0)
                r = print_sides(&t, d);
        if (r == 0)
                r = print_summary(&t, d);
        if (r == 0)
                r = print_new_leaks(&t, d);
        if (r == 0)
                r = print_growth(&t, d);
        if (r == 0)
                r = print_changed(&t, d);
        if (r == 0)
                r = print_segments(&t, d);
        if (r == 0)
                r = print_kinds(&t, d);
        if (r == 0)
                r = print_threads(&t, d);
        if (r == 0)
                r = output_doc_end(&t.o);
        output_free(&t.o);
        return r;
}
