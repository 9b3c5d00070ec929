/*
 * One self-contained HTML page: `report --html` and `trend --html`.  The page
 * is built from the template files under query/html/ (carried in the
 * executable as html_template.c, made by scripts/embed.py, as the report SQL
 * is): page.html is the frame, with markers that take style.css, common.js
 * and the page's own script (report.js, trend.js), and the figures as one
 * JSON document.  Nothing is fetched when the page opens: its
 * Content-Security-Policy allows inline scripts, styles and data: images
 * only, so a stray request fails where a browser's console shows it.
 */
#ifndef MEMSNAP_HTML_PAGE_H
#define MEMSNAP_HTML_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Prints the page's data, one JSON value, to f; returns 0 or a logged -errno. */
typedef int html_page_data_fn(FILE *f, const void *ctx);

/*
 * Writes the page whose script is query/html/SCRIPT.js to path, with what
 * data(ctx) prints as its figures: whole or not at all (atomic_file.h; an
 * existing file is replaced only when force).  *data_len is set to the
 * figures' size in bytes.  Logs and returns -errno.
 */
int html_page_write(const char *path, bool force, const char *script, html_page_data_fn *data, const void *ctx,
                    size_t *data_len);

#endif
