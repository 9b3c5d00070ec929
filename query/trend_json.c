/*
 * `memsnap trend --format json`: the trend as one JSON object, the
 * contract docs/memsnap.md gives.  Member names are the CSV columns'
 * (trend_table.c); addresses and sizes are JSON integers, exact as the
 * databases hold them; snapshots are numbered from 1 as in the text.
 */
#include "trend_output.h"

#include <inttypes.h>
#include <stdio.h>

#include "output_format.h"
#include "schema/schema_enum.h"

static void j_key(FILE *f, const char *key) { fprintf(f, "\"%s\":", key); }

static void j_str(FILE *f, const char *key, const char *s)
{
        j_key(f, key);
        output_json_string(f, s);
}

static void j_int(FILE *f, const char *key, int64_t v) { fprintf(f, "\"%s\":%" PRId64, key, v); }

static void j_real(FILE *f, const char *key, double v) { fprintf(f, "\"%s\":%.17g", key, v); }

static void j_snapshot(FILE *f, const char *key, uint32_t index)
{
        if (index == TREND_ALIVE)
                fprintf(f, "\"%s\":null", key);
        else
                j_int(f, key, (int64_t)index + 1);
}

static size_t shown(size_t n, size_t limit) { return limit && limit < n ? limit : n; }

static void print_snapshots(FILE *f, const struct trend *t)
{
        fputs("\"snapshots\":[", f);
        for (size_t i = 0; i < t->nsnapshots; i++) {
                const struct trend_snapshot *s = &t->snapshots[i];
                fputs(i ? ",{" : "{", f);
                j_int(f, "snapshot", (int64_t)i + 1);
                fputc(',', f);
                j_str(f, "path", s->path);
                fputc(',', f);
                j_str(f, "captured_at", s->captured_at);
                fputc(',', f);
                if (t->timed)
                        j_real(f, "seconds", s->t_s);
                else
                        fputs("\"seconds\":null", f);
                fputc(',', f);
                if (s->vm_rss_kb >= 0)
                        j_int(f, "vm_rss_kb", s->vm_rss_kb);
                else
                        fputs("\"vm_rss_kb\":null", f);
                const struct {
                        const char *key;
                        int64_t v;
                } n[] = {
                        { "used_blocks", s->used_blocks }, { "used_bytes", s->used_bytes },
                        { "born_blocks", s->born }, { "born_bytes", s->born_bytes },
                        { "died_blocks", s->died }, { "died_bytes", s->died_bytes },
                        { "definite_blocks", s->definite }, { "definite_bytes", s->definite_bytes },
                };
                for (size_t k = 0; k < sizeof(n) / sizeof(n[0]); k++) {
                        fputc(',', f);
                        j_int(f, n[k].key, n[k].v);
                }
                fputc('}', f);
        }
        fputc(']', f);
}

static void j_array(FILE *f, const char *key, const int64_t *v, size_t n)
{
        j_key(f, key);
        if (!v) {
                fputs("null", f);
                return;
        }
        fputc('[', f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, i ? ",%" PRId64 : "%" PRId64, v[i]);
        fputc(']', f);
}

static void print_series(FILE *f, const struct trend *t, const struct trend_series *s)
{
        fputc('{', f);
        j_str(f, "kind", trend_series_kind_name(s->kind));
        fputc(',', f);
        j_str(f, "key", s->key);
        fputc(',', f);
        j_str(f, "name", s->name);
        fputc(',', f);
        j_str(f, "type", s->type);
        fputc(',', f);
        if (s->size_class >= 0)
                j_int(f, "size_class", s->size_class);
        else
                fputs("\"size_class\":null", f);
        fputc(',', f);
        j_real(f, "slope_bytes", trend_slope(t, &s->fit));
        fputc(',', f);
        j_real(f, "r2", s->fit.r2);
        fputc(',', f);
        struct trend_fit score = { .slope = s->fit.score };
        j_real(f, "score_bytes", trend_slope(t, &score));
        fputc(',', f);
        j_array(f, "bytes", s->bytes, t->nsnapshots);
        fputc(',', f);
        j_array(f, "blocks", s->blocks, t->nsnapshots);
        fputc('}', f);
}

static void print_growth(FILE *f, const struct trend *t, size_t limit)
{
        static const enum trend_series_kind kinds[] = { TREND_OWNER, TREND_TYPE, TREND_SIZE_CLASS };
        fputs("\"growth\":{", f);
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
                size_t n;
                const struct trend_series *v = trend_series_of(t, kinds[k], &n);
                if (k)
                        fputc(',', f);
                j_key(f, trend_series_kind_name(kinds[k]));
                fputc('[', f);
                for (size_t i = 0; i < shown(n, limit); i++) {
                        if (i)
                                fputc(',', f);
                        print_series(f, t, &v[i]);
                }
                fputc(']', f);
        }
        fputc('}', f);
}

static void print_survivors(FILE *f, const struct trend *t, size_t limit)
{
        fputs("\"survivors\":[", f);
        for (size_t i = 0; i < shown(t->nsurvivors, limit); i++) {
                const struct trend_survivors *g = &t->survivors[i];
                fputs(i ? ",{" : "{", f);
                j_str(f, "type", g->type);
                fputc(',', f);
                if (g->type)
                        fputs("\"size_class\":null", f);
                else
                        j_int(f, "size_class", g->size_class);
                fputc(',', f);
                j_int(f, "blocks", g->blocks);
                fputc(',', f);
                j_int(f, "bytes", g->bytes);
                fputc(',', f);
                j_int(f, "definite_blocks", g->definite);
                fputc(',', f);
                j_int(f, "definite_bytes", g->definite_bytes);
                fputc(',', f);
                j_snapshot(f, "born_first", g->born_first);
                fputc(',', f);
                j_snapshot(f, "born_last", g->born_last);
                fputc(',', f);
                j_int(f, "born_in", g->born_in);
                fputc('}', f);
        }
        fputc(']', f);
}

static void print_blocks(FILE *f, const struct trend *t, size_t limit)
{
        fputs("\"blocks\":[", f);
        for (size_t i = 0; i < shown(t->nlives, limit); i++) {
                const struct trend_life *l = &t->lives[i];
                fprintf(f, "%s{\"mem\":%" PRIu64 ",\"size\":%" PRIu64 ",\"size_class\":%" PRId64 ",", i ? "," : "",
                        l->mem, l->size, l->size_class);
                j_str(f, "type", l->type);
                fputc(',', f);
                j_snapshot(f, "born", l->born);
                fputc(',', f);
                j_snapshot(f, "died", l->died);
                fputc(',', f);
                j_str(f, "leak", schema_enum_text(&schema_enum_leak, l->leak));
                fputc('}', f);
        }
        fputc(']', f);
}

int trend_json_print(const struct trend *t, const struct trend_print_options *opt)
{
        FILE *f = opt->out;
        const struct trend_snapshot *a = &t->snapshots[0];

        fputs("{\"process\":{", f);
        j_int(f, "pid", a->pid);
        fputc(',', f);
        j_str(f, "exe", a->exe);
        fputc(',', f);
        j_str(f, "build_id", a->build_id);
        fputs("},", f);
        j_str(f, "ordered_by", t->timed ? "captured_at" : "command_line");
        fprintf(f, ",\"reordered\":%s,", t->reordered ? "true" : "false");
        j_str(f, "slope_per", trend_slope_unit(t));
        fputc(',', f);
        print_snapshots(f, t);
        fputc(',', f);
        print_growth(f, t, opt->limit);
        fputc(',', f);
        print_survivors(f, t, opt->limit);
        fputc(',', f);
        print_blocks(f, t, opt->limit);
        fputs("}\n", f);
        return 0;
}
