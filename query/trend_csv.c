/*
 * `memsnap trend --csv TABLE`: one of the trend's tables (trend_table.c)
 * as RFC 4180 CSV with a header row, whole: what a spreadsheet opens as
 * one sheet.  One table per run keeps every file rectangular; the text
 * shows the same tables, cut at --limit.
 */
#include "trend_output.h"

#include "trend_table.h"

int trend_csv_print(const struct trend *t, int table, const struct trend_print_options *opt)
{
        struct output_options oo = {
                .format = output_format_find("csv"),
                .out = opt->out,
                .header = true,
        };
        struct output o;
        output_init(&o, &oo, false);
        int r = output_doc_begin(&o);
        if (r == 0)
                r = trend_table_print(&o, t, (enum trend_table)table, NULL, opt->limit, -1);
        if (r == 0)
                r = output_doc_end(&o);
        output_free(&o);
        return r;
}
