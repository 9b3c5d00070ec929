/*
 * Implementation of report_html.h: {"database": PATH, "reports": {NAME:
 * {SECTION: [ROW, ...], ...}, ...}}, each report's object as `report
 * --format json DB NAME` prints it, exact numbers and decimal addresses.
 */
#include "report_html.h"

#include <stdio.h>

#include "common/log.h"
#include "html_page.h"
#include "output_format.h"
#include "report.h"
#include "sql_script.h"

struct report_html {
        sqlite3 *db;
        struct db_guard *guard;
        const char *db_path;
};

/* Prints every report's JSON document as the members of one object. */
static int put_reports(FILE *f, const void *ctx)
{
        const struct report_html *h = ctx;
        const struct output_options opt = { .format = output_format_find("json"), .out = f };
        struct report rep;

        fputs("{\"database\":", f);
        output_json_string(f, h->db_path);
        fputs(",\"reports\":{", f);
        for (size_t i = 0; report_get(i, &rep) == 0; i++) {
                if (i > 0)
                        fputc(',', f);
                output_json_string(f, rep.name);
                fputc(':', f);
                struct output o;
                output_init(&o, &opt, true);
                int r = sql_script_run(h->db, h->guard, h->db_path, rep.sql, &o, rep.params, rep.nparams);
                output_free(&o);
                if (r < 0)
                        return r;
        }
        fputs("}}\n", f);
        return 0;
}

int report_html_write(sqlite3 *db, struct db_guard *g, const char *db_path, const char *html_path, bool force)
{
        const struct report_html h = { .db = db, .guard = g, .db_path = db_path };
        size_t len;
        int r = html_page_write(html_path, force, "report", put_reports, &h, &len);
        if (r < 0)
                return r;
        log_info("wrote '%s' (%.1f KiB of figures)", html_path, len / 1024.0);
        return 0;
}
