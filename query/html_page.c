/*
 * Implementation of html_page.h: the frame copied through, each "@@NAME@@"
 * marker in it replaced by what it names.
 */
#include "html_page.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/atomic_file.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "query/html_template.h"

static const char *template_text(const char *name)
{
        for (size_t i = 0; i < html_template_files_count; i++)
                if (strcmp(html_template_files[i].name, name) == 0)
                        return html_template_files[i].text;
        return NULL;
}

/*
 * The data sits in a <script type="application/json"> element, which ends at
 * the first "</script" whatever the quotes: every '<' (only ever inside a
 * JSON string) is written as the escape \u003c, which JSON.parse reads back.
 */
static void put_json(FILE *f, const char *json, size_t len)
{
        const char *p = json, *end = json + len;

        while (p < end) {
                const char *lt = memchr(p, '<', (size_t)(end - p));
                const char *stop = lt ? lt : end;
                fwrite(p, 1, (size_t)(stop - p), f);
                if (!lt)
                        break;
                fputs("\\u003c", f);
                p = lt + 1;
        }
}

/* Writes the frame to f, markers replaced; -ENOENT for a marker that names nothing. */
static int put_page(FILE *f, const char *frame, const char *script, const char *json, size_t len)
{
        const char *p = frame;

        for (;;) {
                const char *m = strstr(p, "@@");
                const char *m_end = m ? strstr(m + 2, "@@") : NULL;
                if (!m || !m_end) {
                        fputs(p, f);
                        return 0;
                }
                fwrite(p, 1, (size_t)(m - p), f);
                size_t n = (size_t)(m_end - m - 2);
                const char *what = NULL;
                if (n == 4 && strncmp(m + 2, "DATA", 4) == 0)
                        put_json(f, json, len);
                else if (n == 5 && strncmp(m + 2, "STYLE", 5) == 0)
                        what = template_text("style");
                else if (n == 6 && strncmp(m + 2, "COMMON", 6) == 0)
                        what = template_text("common");
                else if (n == 6 && strncmp(m + 2, "SCRIPT", 6) == 0)
                        what = template_text(script);
                else
                        return log_error_errno(ENOENT, "page template: unknown marker '%.*s'", (int)n + 4, m);
                if (n != 4 && !what)
                        return log_error_errno(ENOENT, "page template: no file for marker '%.*s'", (int)n + 4, m);
                if (what)
                        fputs(what, f);
                p = m_end + 2;
        }
}

/* The figures, as data() prints them, into a malloc'd buffer. */
static int figures(html_page_data_fn *data, const void *ctx, char **json, size_t *len)
{
        FILE *f = open_memstream(json, len);
        if (!f)
                return log_error_errno(errno, "cannot build the page: %m");
        int r = data(f, ctx);
        if (fclose(f) != 0 && r == 0)
                r = log_error_errno(ENOMEM, "cannot build the page: %m");
        return r;
}

int html_page_write(const char *path, bool force, const char *script, html_page_data_fn *data, const void *ctx,
                    size_t *data_len)
{
        const char *frame = template_text("page");
        if (!frame || !template_text(script))
                return log_error_errno(ENOENT, "no page template for '%s'", script);

        _cleanup_free_ char *json = NULL;
        size_t len = 0;
        int r = figures(data, ctx, &json, &len);
        if (r < 0)
                return r;
        *data_len = len;

        struct atomic_file af = ATOMIC_FILE_INIT;
        r = atomic_file_begin(&af, path, force, false);
        if (r < 0)
                return r;

        int fd = dup(af.fd);
        _cleanup_fclose_ FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!f) {
                r = log_error_errno(errno, "cannot write '%s': %m", path);
                if (fd >= 0)
                        close(fd);
                atomic_file_discard(&af);
                return r;
        }
        r = put_page(f, frame, script, json, len);
        if (r == 0 && (fflush(f) != 0 || ferror(f)))
                r = log_error_errno(errno ? errno : EIO, "cannot write '%s': %m", path);
        if (r == 0)
                r = atomic_file_commit(&af);
        atomic_file_discard(&af);
        return r;
}
