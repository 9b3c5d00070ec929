/*
 * `memsnap report DB --html FILE`: the snapshot as one page (html_page.h)
 * whose figures are every named report (report.h) run at its defaults, as
 * the json format prints them, so the page and the text reports cannot
 * disagree.  query/html/report.js draws them.
 */
#ifndef MEMSNAP_REPORT_HTML_H
#define MEMSNAP_REPORT_HTML_H

#include <sqlite3.h>
#include <stdbool.h>

#include "db_open.h"

/*
 * Runs every report on db (db_path names it, in messages and on the page)
 * under guard g and writes the page to html_path (replacing a file there
 * only when force).  Logs and returns -errno.
 */
int report_html_write(sqlite3 *db, struct db_guard *g, const char *db_path, const char *html_path, bool force);

#endif
