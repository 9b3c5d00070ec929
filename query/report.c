/*
 * Implementation of report.h: the embedded report files, and what their
 * header comments declare.
 */
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strbuf.h"
#include "common/suggest.h"
#include "query/report_sql.h"

/* [p, eol) of the line starting at p. */
static const char *line_end(const char *p)
{
        const char *e = strchr(p, '\n');
        return e ? e : p + strlen(p);
}

/* "-- param: NAME DEFAULT what it means" */
static void parse_param(const char *p, const char *eol, struct report *r)
{
        char line[160];
        char name[32], help[80] = "";
        long long def;
        int used = 0;

        if (r->nparams >= REPORT_PARAMS_MAX)
                return;
        snprintf(line, sizeof(line), "%.*s", (int)(eol - p), p);
        if (sscanf(line, "-- param: %31s %lld %n", name, &def, &used) < 2)
                return;
        snprintf(help, sizeof(help), "%s", line + used);
        size_t i = r->nparams++;
        snprintf(r->param_names[i], sizeof(r->param_names[i]), "%s", name);
        snprintf(r->param_help[i], sizeof(r->param_help[i]), "%s", help);
        r->params[i] = (struct sql_param){ .name = r->param_names[i], .value = def };
}

static void report_fill(const struct report_sql_file *f, struct report *r)
{
        *r = (struct report){ .name = f->name, .sql = f->text };

        /* first line: "-- NAME: summary" */
        const char *p = f->text, *eol = line_end(p);
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon) {
                const char *s = colon + 1;
                while (*s == ' ')
                        s++;
                snprintf(r->summary, sizeof(r->summary), "%.*s", (int)(eol - s), s);
        }
        /* parameters: anywhere in the leading comment block */
        for (p = f->text; strncmp(p, "--", 2) == 0; p = *eol ? eol + 1 : eol) {
                eol = line_end(p);
                if (strncmp(p, "-- param:", 9) == 0)
                        parse_param(p, eol, r);
        }
}

int report_get(size_t i, struct report *r)
{
        if (i >= report_sql_files_count)
                return -ENOENT;
        report_fill(&report_sql_files[i], r);
        return 0;
}

int report_find(const char *name, struct report *r)
{
        for (size_t i = 0; i < report_sql_files_count; i++)
                if (strcmp(report_sql_files[i].name, name) == 0) {
                        report_fill(&report_sql_files[i], r);
                        return 0;
                }
        return -ENOENT;
}

size_t report_nearest(const char *name, char *buf, size_t size)
{
        _cleanup_free_ const char **names = calloc(report_sql_files_count + 1, sizeof(*names));

        if (size)
                buf[0] = '\0';
        if (!names)
                return 0; /* no suggestion is no harm */
        for (size_t i = 0; i < report_sql_files_count; i++)
                names[i] = report_sql_files[i].name;
        names[report_sql_files_count] = NULL;
        return suggest_nearest(name, names, buf, size);
}

void report_list_help(FILE *f)
{
        struct report r;
        for (size_t i = 0; report_get(i, &r) == 0; i++) {
                _cleanup_strbuf_ struct strbuf words = STRBUF_INIT;

                /* "top [N]": parameter names in capitals, as usage lines write them */
                strbuf_addstr(&words, r.name);
                for (size_t k = 0; k < r.nparams; k++) {
                        strbuf_addstr(&words, " [");
                        for (const char *c = r.param_names[k]; *c; c++)
                                strbuf_addch(&words, (char)toupper((unsigned char)*c));
                        strbuf_addch(&words, ']');
                }
                fprintf(f, "  %-12s %s\n", strbuf_str(&words), r.summary);
                for (size_t k = 0; k < r.nparams; k++)
                        fprintf(f, "  %-12s   %s: %s (default %" PRId64 ")\n", "", r.param_names[k],
                                r.param_help[k], r.params[k].value);
        }
}
