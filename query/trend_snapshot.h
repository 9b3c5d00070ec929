/*
 * The snapshots of a trend as a whole (trend.h, struct trend_snapshot):
 * who the process was in each, whether they are all of one process, and
 * their order in time.
 *
 * One process is one pid, one executable and one start.  The database
 * keeps no start time, so the main module's load address stands in for
 * it: ASLR picks it anew at every exec, so a process restarted under the
 * same pid (after a pid wrap, or in a container that always gets pid 1)
 * shows up with another one.  A main module with another build-id is
 * another program.
 */
#ifndef MEMSNAP_TREND_SNAPSHOT_H
#define MEMSNAP_TREND_SNAPSHOT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "db_open.h"
#include "trend.h"

/* Reads s's facts (s->path set) from the snapshot table and the main module of db; logs and returns -errno. */
int trend_snapshot_read(sqlite3 *db, struct db_guard *g, struct trend_snapshot *s);

/*
 * Checks that v[0..n) are snapshots of one process.  The process most of
 * them show is the reference; the first snapshot (in v's order) of another
 * one is named, with what differs, and -EXDEV returned (logged).
 */
int trend_snapshot_check(const struct trend_snapshot *v, size_t n);

/*
 * Sorts v by capture time (ties and all in command-line order) and sets
 * each t_s: seconds since the first when every snapshot has a capture
 * time (*timed true), else the snapshot's index, the command-line order
 * kept.  *reordered says whether the order changed.
 */
void trend_snapshot_order(struct trend_snapshot *v, size_t n, bool *reordered, bool *timed);

void trend_snapshot_free(struct trend_snapshot *s);

#endif
