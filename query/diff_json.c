/*
 * `memsnap diff --format json`: the diff as one JSON object, the shape
 * DESIGN.md gives ("summary", "added", "removed", "growth") plus "changed",
 * "segments", "threads" and the two sides ("before", "after").  Addresses
 * and sizes are JSON integers, exact as the databases hold them.
 */
#include "diff_output.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "output_format.h"

static void j_int_or_null(FILE *f, bool has, int64_t v)
{
        if (has)
                fprintf(f, "%" PRId64, v);
        else
                fputs("null", f);
}

static void j_head(FILE *f, const struct diff_chunk *c)
{
        if (!c->has_head) {
                fputs("null", f);
                return;
        }
        putc('"', f);
        for (size_t i = 0; i < c->head_len; i++)
                fprintf(f, "%02x", c->head[i]);
        putc('"', f);
}

static void j_chunk_fields(FILE *f, const struct diff_side *side, const struct diff_chunk *c)
{
        int64_t tid = diff_chunk_thread(side, c);

        fprintf(f, "\"mem\":%" PRIu64 ",\"address\":%" PRIu64 ",\"size\":%" PRIu64 ",\"usable\":%" PRIu64
                   ",\"state\":\"used\",\"leak\":", c->mem, c->address, c->size, c->usable);
        output_json_string(f, diff_leak_name(c->leak));
        fputs(",\"arena\":", f);
        j_int_or_null(f, c->arena_id >= 0, c->arena_id);
        fprintf(f, ",\"mmapped\":%s,\"type\":", c->mmapped ? "true" : "false");
        output_json_string(f, c->type);
        fputs(",\"hash\":", f);
        j_int_or_null(f, c->has_hash, c->hash);
        fputs(",\"head\":", f);
        j_head(f, c);
        fputs(",\"thread\":", f);
        j_int_or_null(f, tid != 0, tid);
}

static void j_chunks(FILE *f, const char *name, const struct diff_side *side, const struct diff_chunk *v, size_t n,
                     size_t limit)
{
        fprintf(f, ",\n\"%s\": [", name);
        for (size_t i = 0; i < n && i < limit; i++) {
                fputs(i ? ",\n  {" : "\n  {", f);
                j_chunk_fields(f, side, &v[i]);
                putc('}', f);
        }
        fputs("]", f);
}

static void j_side(FILE *f, const char *name, const struct diff_side *s)
{
        fprintf(f, "\"%s\": {\"path\":", name);
        output_json_string(f, s->path);
        fprintf(f, ",\"pid\":%" PRId64 ",\"exe\":", s->pid);
        output_json_string(f, s->exe);
        fputs(",\"captured_at\":", f);
        output_json_string(f, s->captured_at);
        fputs(",\"source\":", f);
        output_json_string(f, s->source);
        fputs(",\"build_id\":", f);
        output_json_string(f, s->build_id);
        fprintf(f, ",\"threads\":%" PRId64 ",\"used_chunks\":%" PRId64 ",\"used_bytes\":%" PRId64 "}", s->threads,
                s->used_chunks, s->used_bytes);
}

static void j_change_side(FILE *f, const char *name, const struct diff_chunk *c)
{
        fprintf(f, "\"%s\":{\"size\":%" PRIu64 ",\"usable\":%" PRIu64 ",\"arena\":", name, c->size, c->usable);
        j_int_or_null(f, c->arena_id >= 0, c->arena_id);
        fputs(",\"leak\":", f);
        output_json_string(f, diff_leak_name(c->leak));
        fputs(",\"type\":", f);
        output_json_string(f, c->type);
        fputs(",\"hash\":", f);
        j_int_or_null(f, c->has_hash, c->hash);
        fputs(",\"head\":", f);
        j_head(f, c);
        putc('}', f);
}

static void j_changed(FILE *f, const struct diff *d, size_t limit)
{
        fputs(",\n\"changed\": [", f);
        for (size_t i = 0; i < d->nchanged && i < limit; i++) {
                const struct diff_changed *c = &d->changed[i];
                int64_t tid = diff_chunk_thread(&d->after, &c->after);
                fprintf(f, "%s{\"mem\":%" PRIu64 ",\"what\":[", i ? ",\n  " : "\n  ", c->after.mem);
                const char *sep = "";
                if (c->what & DIFF_CHANGED_SIZE)
                        fprintf(f, "%s\"size\"", sep), sep = ",";
                if (c->what & DIFF_CHANGED_ARENA)
                        fprintf(f, "%s\"arena\"", sep), sep = ",";
                if (c->what & DIFF_CHANGED_LEAK)
                        fprintf(f, "%s\"leak\"", sep);
                fprintf(f, "],\"new_definite_leak\":%s,", diff_changed_is_new_leak(c) ? "true" : "false");
                j_change_side(f, "before", &c->before);
                putc(',', f);
                j_change_side(f, "after", &c->after);
                fputs(",\"thread\":", f);
                j_int_or_null(f, tid != 0, tid);
                putc('}', f);
        }
        fputs("]", f);
}

static void j_growth(FILE *f, const struct diff *d, size_t limit)
{
        fputs(",\n\"growth\": [", f);
        for (size_t i = 0; i < d->ngrowth && i < limit; i++) {
                const struct diff_growth *g = &d->growth[i];
                fputs(i ? ",\n  {\"key\":" : "\n  {\"key\":", f);
                output_json_string(f, g->key);
                fputs(",\"type\":", f);
                output_json_string(f, g->type);
                fputs(",\"size_class\":", f);
                j_int_or_null(f, g->size_class >= 0, g->size_class);
                fprintf(f, ",\"count_before\":%" PRId64 ",\"count_after\":%" PRId64 ",\"count_delta\":%" PRId64
                           ",\"bytes_before\":%" PRId64 ",\"bytes_after\":%" PRId64 ",\"bytes_delta\":%" PRId64 "}",
                        g->count_before, g->count_after, g->count_after - g->count_before, g->bytes_before,
                        g->bytes_after, g->bytes_after - g->bytes_before);
        }
        fputs("]", f);
}

static void j_segment(FILE *f, const struct diff_segment *s)
{
        fprintf(f, "{\"start\":%" PRIu64 ",\"end\":%" PRIu64 ",\"perms\":", s->start, s->end);
        output_json_string(f, s->perms);
        fputs(",\"kind\":", f);
        output_json_string(f, s->kind);
        fputs(",\"path\":", f);
        output_json_string(f, s->path);
        fputs(",\"rss_kb\":", f);
        j_int_or_null(f, s->rss_kb >= 0, s->rss_kb);
        putc('}', f);
}

static void j_segments(FILE *f, const struct diff *d)
{
        static const char *const change[] = { "added", "removed", "resized" };

        fputs(",\n\"segments\": {\"changes\": [", f);
        for (size_t i = 0; i < d->nsegments; i++) {
                const struct diff_segment_delta *x = &d->segments[i];
                fprintf(f, "%s{\"change\":\"%s\",\"before\":", i ? ",\n  " : "\n  ", change[x->change]);
                if (x->change == DIFF_SEG_ADDED)
                        fputs("null", f);
                else
                        j_segment(f, &x->before);
                fputs(",\"after\":", f);
                if (x->change == DIFF_SEG_REMOVED)
                        fputs("null", f);
                else
                        j_segment(f, &x->after);
                putc('}', f);
        }
        fputs("],\n  \"by_kind\": [", f);
        for (size_t i = 0; i < d->nkinds; i++) {
                const struct diff_kind *k = &d->kinds[i];
                fputs(i ? ",\n  {\"kind\":" : "\n  {\"kind\":", f);
                output_json_string(f, k->kind);
                fprintf(f, ",\"virt_kb_before\":%" PRId64 ",\"virt_kb_after\":%" PRId64, k->virt_kb_before,
                        k->virt_kb_after);
                fputs(",\"rss_kb_before\":", f);
                j_int_or_null(f, k->rss_kb_before >= 0, k->rss_kb_before);
                fputs(",\"rss_kb_after\":", f);
                j_int_or_null(f, k->rss_kb_after >= 0, k->rss_kb_after);
                putc('}', f);
        }
        fputs("]}", f);
}

static void j_threads(FILE *f, const struct diff *d)
{
        fprintf(f, ",\n\"threads\": {\"count_before\":%" PRId64 ",\"count_after\":%" PRId64 ",\"changes\": [",
                d->before.threads, d->after.threads);
        for (size_t i = 0; i < d->nthreads; i++) {
                const struct diff_thread *t = &d->threads[i];
                fprintf(f, "%s{\"change\":\"%s\",\"tid\":%" PRId64 ",\"name\":", i ? ",\n  " : "\n  ",
                        t->added ? "added" : "removed", t->tid);
                output_json_string(f, t->name);
                fputs(",\"function\":", f);
                output_json_string(f, t->function);
                putc('}', f);
        }
        fputs("]}", f);
}

int diff_print_json(const struct diff *d, const struct diff_print_options *opt)
{
        FILE *f = opt->out;
        const struct diff_summary *s = &d->summary;
        size_t limit = opt->limit ? opt->limit : SIZE_MAX;

        putc('{', f);
        j_side(f, "before", &d->before);
        fputs(",\n", f);
        j_side(f, "after", &d->after);
        fprintf(f, ",\n\"summary\": {\"added\":%zu,\"removed\":%zu,\"changed\":%zu,"
                   "\"added_bytes\":%" PRIu64 ",\"removed_bytes\":%" PRIu64 ","
                   "\"leaked_added\":%zu,\"leaked_added_bytes\":%" PRIu64 ","
                   "\"leaked_changed\":%zu,\"leaked_changed_bytes\":%" PRIu64 ","
                   "\"new_definite_leaks\":%zu,\"new_definite_leak_bytes\":%" PRIu64 ","
                   "\"used_bytes_delta\":%" PRId64 ",\"limit\":",
                s->added, s->removed, s->changed, s->added_bytes, s->removed_bytes, s->leaked_added,
                s->leaked_added_bytes, s->leaked_changed, s->leaked_changed_bytes, diff_new_leaks(d),
                s->leaked_added_bytes + s->leaked_changed_bytes, d->after.used_bytes - d->before.used_bytes);
        j_int_or_null(f, opt->limit != 0, (int64_t)opt->limit);
        putc('}', f);
        j_chunks(f, "added", &d->after, d->added, d->nadded, limit);
        j_chunks(f, "removed", &d->before, d->removed, d->nremoved, limit);
        j_changed(f, d, limit);
        j_growth(f, d, limit);
        j_segments(f, d);
        j_threads(f, d);
        fputs("}\n", f);
        return ferror(f) ? -EIO : 0;
}
