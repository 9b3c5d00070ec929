/*
 * libFuzzer harness: the read-only guard of `memsnap query`.  The input is
 * SQL text, run as `memsnap query` runs it (db_open_readonly, then
 * sql_script_run) on a copy of a snapshot database (MEMSNAP_FUZZ_DB, an
 * analysis of a sample's core), printed in the format the first byte picks
 * to /dev/null.  Whatever the SQL, no statement may change anything:
 *   - SQLite counts no row changed on the connection (temporary tables too);
 *   - the database file keeps its bytes, and nothing else appears in its
 *     folder, the harness's working folder (no journal, no -wal, no file
 *     an ATTACH or VACUUM INTO made);
 *   - the connection closes cleanly (no statement left unfinalized).
 * A breach aborts, and libFuzzer keeps the SQL that did it.
 *
 * The harness bounds what SQL may cost, which is the user's own business in
 * memsnap and not what is tested here: 10^6 virtual machine steps a
 * connection (the guard's limit, set low), strings and blobs of 16 MiB,
 * SQLite's heap at 256 MiB.
 *
 * Seeds: the report files (the .sql files of query/reports) and the statements the
 * guard refuses (tests/fuzz/fuzz.sh).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "fuzz_work.h"
#include "query/db_open.h"
#include "query/output_format.h"
#include "query/sql_script.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_STEPS 1000000
#define FUZZ_LENGTH_MAX (16 << 20)
#define FUZZ_HEAP_MAX (256ll << 20)

static struct {
        char db[4096];
        char dir[4096];
        uint8_t *bytes;          /* the database as copied */
        size_t len;
        FILE *devnull;
        size_t nformats;
} fz;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        log_set_level(LOG_LEVEL_ERROR);
        const char *src = getenv("MEMSNAP_FUZZ_DB");
        if (!src || !src[0])
                fuzz_fail("set MEMSNAP_FUZZ_DB to a snapshot database");
        fz.bytes = fuzz_read_file(src, &fz.len);
        snprintf(fz.db, sizeof(fz.db), "%s", fuzz_path("snapshot.db"));
        fuzz_write_file(fz.db, fz.bytes, fz.len);
        snprintf(fz.dir, sizeof(fz.dir), "%.*s", (int)(strrchr(fz.db, '/') - fz.db), fz.db);
        /* what a relative path in the SQL would make (VACUUM INTO 'x') lands where it is looked for */
        if (chdir(fz.dir) < 0)
                fuzz_fail("cannot enter '%s': %m", fz.dir);
        fz.devnull = fopen("/dev/null", "w");
        if (!fz.devnull)
                fuzz_fail("cannot open /dev/null: %m");
        while (output_formats[fz.nformats].name)
                fz.nformats++;
        sqlite3_hard_heap_limit64(FUZZ_HEAP_MAX);
        return 0;
}

/* The folder holds the database and nothing else, and the database its bytes. */
static void check_untouched(const char *sql)
{
        DIR *d = opendir(fz.dir);
        if (!d)
                fuzz_fail("cannot read '%s': %m", fz.dir);
        for (struct dirent *e; (e = readdir(d));)
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
                    strcmp(e->d_name, "snapshot.db") != 0)
                        fuzz_fail("'%s' appeared beside the database after: %s", e->d_name, sql);
        closedir(d);

        size_t len;
        uint8_t *now = fuzz_read_file(fz.db, &len);
        if (len != fz.len || memcmp(now, fz.bytes, len) != 0)
                fuzz_fail("the database changed after: %s", sql);
        free(now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 2)
                return 0;
        char *sql = strndup((const char *)data + 1, size - 1);
        if (!sql)
                return 0;
        if (sql_script_empty(sql)) {
                free(sql);
                return 0;
        }

        struct db_guard g = DB_GUARD_INIT;
        g.max_steps = FUZZ_MAX_STEPS;
        sqlite3 *db = NULL;
        if (db_open_readonly(fz.db, &g, &db) < 0)
                fuzz_fail("cannot open the database copy '%s'", fz.db);
        sqlite3_limit(db, SQLITE_LIMIT_LENGTH, FUZZ_LENGTH_MAX);

        const struct output_format *f = &output_formats[(data[0] & 0x7f) % fz.nformats];
        struct output_options opt = {
                .format = f, .out = fz.devnull, .header = f->header_default || f->header_required,
                .hex = f->human, .human = (data[0] & 0x80) != 0,
        };
        struct output o = { 0 };
        output_init(&o, &opt, false);
        (void)sql_script_run(db, &g, fz.db, sql, &o, NULL, 0);
        output_free(&o);

        sqlite3_int64 changes = sqlite3_total_changes64(db);
        if (changes != 0)
                fuzz_fail("%lld rows changed on the read-only connection by: %s", (long long)changes, sql);
        int r = sqlite3_close(db);
        if (r != SQLITE_OK)
                fuzz_fail("the connection does not close (%s) after: %s", sqlite3_errstr(r), sql);
        check_untouched(sql);
        free(sql);
        return 0;
}
