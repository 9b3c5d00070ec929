/*
 * `memsnap diff --format json`: the diff as one JSON object, the shape
 * docs/memsnap.md gives ("summary", "added", "removed", "growth") plus "changed",
 * "segments", "threads", "owners" and the two sides ("before", "after").  Addresses
 * and sizes are JSON integers, exact as the databases hold them.
 */
#include "diff_output.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "output_format.h"

/*
 * A diff of two big snapshots lists a hundred thousand blocks: numbers and
 * plain strings are written without printf and without the locking stdio
 * does per call (the writer is the only thread left).
 */
static void j_u64(FILE *f, uint64_t v)
{
        char buf[24];
        size_t i = sizeof(buf);
        do {
                buf[--i] = (char)('0' + v % 10);
                v /= 10;
        } while (v);
        fwrite_unlocked(buf + i, 1, sizeof(buf) - i, f);
}

static void j_i64(FILE *f, int64_t v)
{
        if (v < 0) {
                putc_unlocked('-', f);
                j_u64(f, -(uint64_t)v);
        } else
                j_u64(f, (uint64_t)v);
}

static void j_raw(FILE *f, const char *s) { fputs_unlocked(s, f); }

/* A JSON string; the common case (plain ASCII) without a copy. */
static void j_str(FILE *f, const char *s)
{
        if (!s) {
                j_raw(f, "null");
                return;
        }
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\') {
                        output_json_string(f, s);
                        return;
                }
        putc_unlocked('"', f);
        j_raw(f, s);
        putc_unlocked('"', f);
}

/* "KEY": then the value: keys are ours, plain ASCII */
static void j_key(FILE *f, const char *key)
{
        putc_unlocked('"', f);
        j_raw(f, key);
        j_raw(f, "\":");
}

static void j_int_or_null(FILE *f, bool has, int64_t v)
{
        if (has)
                j_i64(f, v);
        else
                j_raw(f, "null");
}

static void j_head(FILE *f, const struct diff_chunk *c)
{
        static const char hex[] = "0123456789abcdef";

        if (!c->has_head) {
                j_raw(f, "null");
                return;
        }
        putc_unlocked('"', f);
        for (size_t i = 0; i < c->head_len; i++) {
                putc_unlocked(hex[c->head[i] >> 4], f);
                putc_unlocked(hex[c->head[i] & 15], f);
        }
        putc_unlocked('"', f);
}

/*
 * A block's fields.  With side (a block of "added" or "removed") also where
 * it is and whose: mem, address, state, mmapped and thread; without it (one
 * side of a "changed" block, whose mem and thread the entry holds once)
 * only what can change.
 */
static void j_chunk_fields(FILE *f, const struct diff_side *side, const struct diff_chunk *c)
{
        if (side) {
                j_key(f, "mem");
                j_u64(f, c->mem);
                j_raw(f, ",");
                j_key(f, "address");
                j_u64(f, c->address);
                j_raw(f, ",");
        }
        j_key(f, "size");
        j_u64(f, c->size);
        j_raw(f, ",");
        j_key(f, "usable");
        j_u64(f, c->usable);
        j_raw(f, ",");
        j_key(f, "leak");
        j_str(f, schema_enum_text(&schema_enum_leak, c->leak));
        j_raw(f, ",");
        j_key(f, "arena");
        j_int_or_null(f, c->arena_id >= 0, c->arena_id);
        j_raw(f, ",");
        j_key(f, "type");
        j_str(f, c->type);
        j_raw(f, ",");
        j_key(f, "hash");
        j_int_or_null(f, c->has_hash, c->hash);
        j_raw(f, ",");
        j_key(f, "head");
        j_head(f, c);
        if (side) {
                int64_t tid = diff_side_chunk_thread(side, c);
                j_raw(f, ",\"state\":\"used\",");
                j_raw(f, c->mmapped ? "\"mmapped\":true," : "\"mmapped\":false,");
                j_key(f, "thread");
                j_int_or_null(f, tid != 0, tid);
        }
}

static void j_chunks(FILE *f, const char *name, const struct diff_side *side, const struct diff_chunk *v, size_t n,
                     size_t limit)
{
        fprintf(f, ",\n\"%s\": [", name);
        for (size_t i = 0; i < n && i < limit; i++) {
                j_raw(f, i ? ",\n  {" : "\n  {");
                j_chunk_fields(f, side, &v[i]);
                putc_unlocked('}', f);
        }
        j_raw(f, "]");
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
        j_key(f, name);
        j_raw(f, "{");
        j_chunk_fields(f, NULL, c);
        j_raw(f, "}");
}

static void j_changed(FILE *f, const struct diff *d, size_t limit)
{
        fputs(",\n\"changed\": [", f);
        for (size_t i = 0; i < d->nchanged && i < limit; i++) {
                const struct diff_changed *c = &d->changed[i];
                int64_t tid = diff_side_chunk_thread(&d->after, &c->after);
                j_raw(f, i ? ",\n  {" : "\n  {");
                j_key(f, "mem");
                j_u64(f, c->after.mem);
                j_raw(f, ",\"what\":[");
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

static void j_owners(FILE *f, const struct diff *d, size_t limit)
{
        fputs(",\n\"owners\": [", f);
        for (size_t i = 0; i < d->nowners && i < limit; i++) {
                const struct diff_owner *o = &d->owners[i];
                fputs(i ? ",\n  {\"key\":" : "\n  {\"key\":", f);
                output_json_string(f, o->key);
                fputs(",\"name\":", f);
                output_json_string(f, o->name);
                fputs(",\"kind\":", f);
                output_json_string(f, o->kind);
                fprintf(f, ",\"retained_before\":%" PRId64 ",\"retained_after\":%" PRId64 ",\"retained_delta\":%" PRId64
                           "}",
                        o->retained_before, o->retained_after, o->retained_after - o->retained_before);
        }
        fputs("]", f);
}

int diff_json_print(const struct diff *d, const struct diff_print_options *opt)
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
        j_owners(f, d, limit);
        fputs("}\n", f);
        return ferror(f) ? -EIO : 0;
}
