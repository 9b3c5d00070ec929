/*
 * `memsnap trend --format json`: the trend as one JSON object, the
 * contract docs/memsnap.md gives.  Member names are the CSV columns'
 * (trend_table.c); addresses and sizes are JSON integers, exact as the
 * databases hold them; snapshots are numbered from 1 as in the text.
 */
#include "trend_output.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/array.h"
#include "output_format.h"
#include "schema/schema_enum.h"

/* An object being written: its members are separated as they come. */
struct jobj {
        FILE *f;
        bool first;
};

static struct jobj j_begin(FILE *f)
{
        fputc('{', f);
        return (struct jobj){ .f = f, .first = true };
}

static void j_end(struct jobj *o) { fputc('}', o->f); }

/* "KEY": after a comma unless first: keys are ours, plain ASCII */
static FILE *j_key(struct jobj *o, const char *key)
{
        fprintf(o->f, o->first ? "\"%s\":" : ",\"%s\":", key);
        o->first = false;
        return o->f;
}

static void j_str(struct jobj *o, const char *key, const char *s) { output_json_string(j_key(o, key), s); }

static void j_int(struct jobj *o, const char *key, int64_t v) { fprintf(j_key(o, key), "%" PRId64, v); }

/* An integer, or null when the figure is not known. */
static void j_opt_int(struct jobj *o, const char *key, bool has, int64_t v)
{
        if (has)
                j_int(o, key, v);
        else
                fputs("null", j_key(o, key));
}

static void j_real(struct jobj *o, const char *key, double v) { fprintf(j_key(o, key), "%.17g", v); }

/* A snapshot number from 1, or null for a life still going. */
static void j_snapshot(struct jobj *o, const char *key, uint32_t index)
{
        j_opt_int(o, key, index != TREND_ALIVE, (int64_t)index + 1);
}

static void j_array(struct jobj *o, const char *key, const int64_t *v, size_t n)
{
        FILE *f = j_key(o, key);
        if (!v) {
                fputs("null", f);
                return;
        }
        fputc('[', f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, i ? ",%" PRId64 : "%" PRId64, v[i]);
        fputc(']', f);
}

static size_t shown(size_t n, size_t limit) { return limit && limit < n ? limit : n; }

static void print_snapshots(struct jobj *doc, const struct trend *t)
{
        FILE *f = j_key(doc, "snapshots");
        fputc('[', f);
        for (size_t i = 0; i < t->nsnapshots; i++) {
                const struct trend_snapshot *s = &t->snapshots[i];
                if (i)
                        fputc(',', f);
                struct jobj o = j_begin(f);
                j_int(&o, "snapshot", (int64_t)i + 1);
                j_str(&o, "path", s->path);
                j_str(&o, "captured_at", s->captured_at);
                if (t->timed)
                        j_real(&o, "seconds", s->t_s);
                else
                        j_opt_int(&o, "seconds", false, 0);
                j_opt_int(&o, "vm_rss_kb", s->vm_rss_kb >= 0, s->vm_rss_kb);
                j_int(&o, "used_blocks", s->used_blocks);
                j_int(&o, "used_bytes", s->used_bytes);
                j_int(&o, "born_blocks", s->born);
                j_int(&o, "born_bytes", s->born_bytes);
                j_int(&o, "died_blocks", s->died);
                j_int(&o, "died_bytes", s->died_bytes);
                j_int(&o, "definite_blocks", s->definite);
                j_int(&o, "definite_bytes", s->definite_bytes);
                j_end(&o);
        }
        fputc(']', f);
}

static void print_series(FILE *f, const struct trend *t, const struct trend_series *s)
{
        struct jobj o = j_begin(f);
        struct trend_fit score = { .slope = s->fit.score };

        j_str(&o, "kind", trend_series_kind_name(s->kind));
        j_str(&o, "key", s->key);
        j_str(&o, "name", s->name);
        j_str(&o, "type", s->type);
        j_opt_int(&o, "size_class", s->size_class >= 0, s->size_class);
        j_real(&o, "slope_bytes", trend_slope(t, &s->fit));
        j_real(&o, "r2", s->fit.r2);
        j_real(&o, "score_bytes", trend_slope(t, &score));
        j_array(&o, "bytes", s->bytes, t->nsnapshots);
        j_array(&o, "blocks", s->blocks, t->nsnapshots);
        j_end(&o);
}

static void print_growth(struct jobj *doc, const struct trend *t, size_t limit)
{
        static const enum trend_series_kind kinds[] = { TREND_OWNER, TREND_TYPE, TREND_SIZE_CLASS };
        struct jobj g = j_begin(j_key(doc, "growth"));

        for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                size_t n;
                const struct trend_series *v = trend_series_of(t, kinds[k], &n);
                FILE *f = j_key(&g, trend_series_kind_name(kinds[k]));
                fputc('[', f);
                for (size_t i = 0; i < shown(n, limit); i++) {
                        if (i)
                                fputc(',', f);
                        print_series(f, t, &v[i]);
                }
                fputc(']', f);
        }
        j_end(&g);
}

static void print_survivors(struct jobj *doc, const struct trend *t, size_t limit)
{
        FILE *f = j_key(doc, "survivors");
        fputc('[', f);
        for (size_t i = 0; i < shown(t->nsurvivors, limit); i++) {
                const struct trend_survivors *g = &t->survivors[i];
                if (i)
                        fputc(',', f);
                struct jobj o = j_begin(f);
                j_str(&o, "type", g->type);
                j_opt_int(&o, "size_class", !g->type, g->size_class);
                j_int(&o, "blocks", g->blocks);
                j_int(&o, "bytes", g->bytes);
                j_int(&o, "definite_blocks", g->definite);
                j_int(&o, "definite_bytes", g->definite_bytes);
                j_snapshot(&o, "born_first", g->born_first);
                j_snapshot(&o, "born_last", g->born_last);
                j_int(&o, "born_in", g->born_in);
                j_end(&o);
        }
        fputc(']', f);
}

static void print_blocks(struct jobj *doc, const struct trend *t, size_t limit)
{
        FILE *f = j_key(doc, "blocks");
        fputc('[', f);
        for (size_t i = 0; i < shown(t->nlives, limit); i++) {
                const struct trend_life *l = &t->lives[i];
                if (i)
                        fputc(',', f);
                struct jobj o = j_begin(f);
                j_int(&o, "mem", (int64_t)l->mem);
                j_int(&o, "size", (int64_t)l->size);
                j_int(&o, "size_class", l->size_class);
                j_str(&o, "type", l->type);
                j_snapshot(&o, "born", l->born);
                j_snapshot(&o, "died", l->died);
                j_str(&o, "leak", schema_enum_text(&schema_enum_leak, l->leak));
                j_end(&o);
        }
        fputc(']', f);
}

int trend_json_print(const struct trend *t, const struct trend_print_options *opt)
{
        const struct trend_snapshot *a = &t->snapshots[0];
        struct jobj doc = j_begin(opt->out);
        struct jobj p = j_begin(j_key(&doc, "process"));

        j_int(&p, "pid", a->pid);
        j_str(&p, "exe", a->exe);
        j_str(&p, "build_id", a->build_id);
        j_end(&p);
        j_str(&doc, "ordered_by", t->timed ? "captured_at" : "command_line");
        fputs(t->reordered ? "true" : "false", j_key(&doc, "reordered"));
        j_str(&doc, "slope_per", trend_slope_unit(t));
        print_snapshots(&doc, t);
        print_growth(&doc, t, opt->limit);
        print_survivors(&doc, t, opt->limit);
        print_blocks(&doc, t, opt->limit);
        j_end(&doc);
        fputc('\n', opt->out);
        return 0;
}
