/*
 * `memsnap trend` for people: what the engineer chasing a leak reads first
 * comes first: the fastest steady growth of every kind, then who the
 * process was, the blocks born and never freed, growth by owner, type and size
 * class, the snapshots one by one, and the blocks' lives.
 */
#include "trend_output.h"

#include <stdio.h>

#include "common/array.h"
#include "trend_table.h"

static void more_note(const struct trend_print_options *opt, size_t shown, size_t total)
{
        if (opt->limit && shown < total)
                fprintf(opt->out, "... and %zu more (--limit 0 lists all)\n", total - shown);
}

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

static int print_process(struct output *o, const struct trend *t)
{
        static const char *const names[] = { "pid", "exe", "snapshots", "first", "last", "ordered_by",
                                             "survivor_blocks", "survivor_bytes" };
        const struct trend_snapshot *a = &t->snapshots[0], *z = &t->snapshots[t->nsnapshots - 1];
        int64_t blocks = 0, bytes = 0;
        for (size_t i = 0; i < t->nsurvivors; i++) {
                blocks += t->survivors[i].blocks;
                bytes += t->survivors[i].bytes;
        }
        int r = output_set_begin(o, "trend", true, names, ELEMENTSOF(names));
        struct output_cell c[] = {
                cell_int(a->pid), output_cell_text(a->exe), cell_int((int64_t)t->nsnapshots),
                output_cell_text(a->captured_at ? a->captured_at : a->path),
                output_cell_text(z->captured_at ? z->captured_at : z->path),
                output_cell_text(t->timed ? "capture time" : "command line"), cell_int(blocks), cell_int(bytes),
        };
        if (r == 0)
                r = output_set_row(o, c);
        return r < 0 ? r : output_set_end(o);
}

int trend_text_print(const struct trend *t, const struct trend_print_options *opt)
{
        struct output_options oo = {
                .format = output_format_find("table"),
                .out = opt->out,
                .header = true,
                .hex = true,
                .human = opt->human,
                .color = opt->color,
        };
        struct output o;
        char title[160];
        int r;

        output_init(&o, &oo, true);
        r = output_doc_begin(&o);
        if (r == 0) {
                snprintf(title, sizeof(title),
                         "fastest-growing (slope: bytes per %s, least-squares over all snapshots; r2: how steady)",
                         trend_slope_unit(t));
                r = trend_table_print(&o, t, TREND_TABLE_FASTEST, title, opt->limit, -1);
        }
        if (r == 0)
                r = print_process(&o, t);
        if (r == 0) {
                snprintf(title, sizeof(title), "survivors (born after snapshot 1, alive in snapshot %zu)",
                         t->nsnapshots);
                r = trend_table_print(&o, t, TREND_TABLE_SURVIVORS, title, opt->limit, -1);
                more_note(opt, min_size(opt->limit, t->nsurvivors), t->nsurvivors);
        }
        static const struct {
                enum trend_series_kind kind;
                const char *title;
        } kinds[] = {
                { TREND_OWNER, "growth by owner (bytes retained by each root holder)" },
                { TREND_TYPE, "growth by type" },
                { TREND_SIZE_CLASS, "growth by size class" },
        };
        for (size_t k = 0; r == 0 && k < ELEMENTSOF(kinds); k++) {
                size_t n;
                trend_series_of(t, kinds[k].kind, &n);
                if (n == 0)
                        continue;
                r = trend_table_print(&o, t, TREND_TABLE_GROWTH, kinds[k].title, opt->limit, (int)kinds[k].kind);
                more_note(opt, min_size(opt->limit, n), n);
        }
        if (r == 0)
                r = trend_table_print(&o, t, TREND_TABLE_SNAPSHOTS, "snapshots", 0, -1);
        if (r == 0) {
                r = trend_table_print(&o, t, TREND_TABLE_BLOCKS,
                                      "blocks born or freed (born: first snapshot holding it; died: first without it)",
                                      opt->limit, -1);
                more_note(opt, min_size(opt->limit, t->nlives), t->nlives);
        }
        if (r == 0)
                r = output_doc_end(&o);
        output_free(&o);
        return r;
}
