/*
 * Snapshots of one process over time: the model `memsnap trend` computes
 * (trend.c and friends) and prints (trend_table.c for the text and CSV,
 * trend_json.c for JSON).  Computation and printing meet only in struct
 * trend, so another printer (an HTML page) reads the same figures.
 *
 * The snapshots are ordered by capture time.  Each block (a used chunk) is
 * followed from snapshot to snapshot by diff's rule (diff_match.h): it is
 * born in the first snapshot that holds it and dies in the first one after
 * that does not.  A block resized in place (diff's "changed" size) ends one
 * life and starts another: its bytes and its size class are no longer the
 * ones that were counted.
 *
 * Growth is a series per key over all snapshots: bytes (and blocks) per
 * type hint, per size class, and bytes retained per owner (the root holder,
 * keyed and named as diff_owners does).  Each series gets a least-squares
 * line over capture time (trend_fit.c); its score, the slope weighted by
 * the fit's R², ranks the fastest steady growth first.
 */
#ifndef MEMSNAP_TREND_H
#define MEMSNAP_TREND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db_open.h"

/* Snapshots one trend reads at most: a day of snapshots every 10 seconds; bounds the per-series arrays. */
#define TREND_SNAPSHOTS_MAX 10000

/* trend_life.died of a block the last snapshot still holds. */
#define TREND_ALIVE UINT32_MAX

/* One snapshot, in time order. */
struct trend_snapshot {
        char *path;                 /* as given on the command line */
        size_t arg_index;           /* its place on the command line, from 0 */
        int64_t pid;
        char *exe;
        char *build_id;             /* the main module's, or NULL */
        int64_t main_start;         /* the main module's load address; -1 unknown (see trend_snapshot.c) */
        char *captured_at;          /* RFC 3339 UTC, or NULL (a core memsnap did not take) */
        double epoch_s;             /* captured_at in seconds since 1970, or NaN */
        double t_s;                 /* the fit's x: seconds since the first snapshot, or its index */
        int64_t vm_rss_kb;          /* -1 unknown */

        /* filled while the blocks are followed */
        int64_t used_blocks, used_bytes;
        int64_t born, born_bytes;   /* blocks this snapshot holds and the one before did not (0 for the first) */
        int64_t died, died_bytes;   /* blocks the one before held and this one does not */
        int64_t definite, definite_bytes; /* used blocks with leak verdict definite */
};

/* One life of a block that was born after the first snapshot or died before the last. */
struct trend_life {
        uint64_t mem, size;
        int64_t size_class;
        char *type;                 /* type hint, or NULL */
        uint32_t born;              /* index of the first snapshot holding it */
        uint32_t died;              /* index of the first snapshot after that without it, or TREND_ALIVE */
        uint8_t leak;               /* enum leak_kind in the last snapshot holding it */
};

/* Blocks born after the first snapshot that the last still holds, grouped by type hint or size class. */
struct trend_survivors {
        char *type;                 /* NULL for a size class group */
        int64_t size_class;         /* -1 for a type group */
        int64_t blocks, bytes;
        int64_t definite, definite_bytes; /* of them, with verdict definite in the last snapshot */
        uint32_t born_first, born_last;   /* snapshot indexes */
        uint32_t born_in;           /* how many snapshots gave birth to some of them */
};

enum trend_series_kind { TREND_OWNER, TREND_TYPE, TREND_SIZE_CLASS };

/* A least-squares line through (t_s, bytes). */
struct trend_fit {
        double slope;               /* bytes per unit of t_s (trend_slope converts) */
        double r2;                  /* 0..1: how much of the variance the line explains; 0 for a flat series */
        double score;               /* slope * r2: steady growth ranks before a jump or a sawtooth */
};

struct trend_series {
        enum trend_series_kind kind;
        char *key;                  /* "type:NAME", "size:CLASS", or diff_owners' holder key */
        char *name;                 /* for people: the type, the size class, the holder ("static g_cache in libfoo.so") */
        char *type;                 /* TREND_TYPE: the type hint */
        int64_t size_class;         /* TREND_SIZE_CLASS: the class; else -1 */
        int64_t *blocks;            /* per snapshot; NULL for owners (a holder retains bytes, not a count of its own) */
        int64_t *bytes;             /* per snapshot: used bytes, or bytes retained for owners */
        struct trend_fit fit;
};

struct trend {
        struct db_guard guard;      /* template of each connection's guard (max_steps) */
        bool reordered;             /* the command line's order was not the capture order */
        bool timed;                 /* every snapshot has a capture time: t_s is seconds */

        struct trend_snapshot *snapshots; size_t nsnapshots;  /* by capture time */
        struct trend_life *lives;   size_t nlives, cap_lives; /* by born, then mem */
        struct trend_survivors *survivors; size_t nsurvivors; /* most bytes first */
        struct trend_series *series; size_t nseries;          /* by kind, then score, highest first */
};

/*
 * Reads the snapshots at paths[0..n), checks that they are of one process
 * (trend_snapshot_check), orders them by capture time, follows every block
 * through them and fills the series, survivors and fits.  t->guard is the
 * caller's (its max_steps).  Logs and returns -errno.
 */
int trend_load(struct trend *t, char *const *paths, size_t n);

void trend_free(struct trend *t);

/* The series of one kind: a slice of t->series, highest score first. */
const struct trend_series *trend_series_of(const struct trend *t, enum trend_series_kind kind, size_t *n);

/*
 * A fit's slope as printed: bytes per hour when the snapshots are timed
 * (a leak is measured in hours), else bytes per snapshot; trend_slope_unit
 * names it ("hour" or "snapshot").
 */
double trend_slope(const struct trend *t, const struct trend_fit *f);
const char *trend_slope_unit(const struct trend *t);

/* "owner", "type", "size_class". */
const char *trend_series_kind_name(enum trend_series_kind kind);

#endif
