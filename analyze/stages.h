/*
 * The stages of `memsnap analyze`, in the order cmd_analyze.c runs them.
 * Each reads what the earlier ones put in struct analysis and adds its own
 * part.  Each returns 0, or a negative errno after logging why, for failures
 * that end the analysis; anything less becomes a warning and the work goes on.
 */
#ifndef MEMSNAP_STAGES_H
#define MEMSNAP_STAGES_H

#include "analysis.h"

/* snapshot.c: pid, exe, cmdline, source, times and /proc figures from the notes. */
int snapshot_read(struct analysis *a);

/* modules.c: loaded ELF modules through libdwfl (dwfl_core_file_report). */
int modules_report(struct analysis *a);

/* The index into a->modules of a libdwfl module (set by modules_report), or NO_ID. */
int module_of(const struct analysis *a, Dwfl_Module *mod);

/* threads.c: threads and their frames through libdwfl (dwfl_core_file_attach). */
int threads_unwind(struct analysis *a);

/* skipped.c: the MEMSNAP skipped note's ranges that lose memory, each with a warning. */
int skipped_read(struct analysis *a);

/* segments.c: one segment per PT_LOAD with paths, smaps figures and a kind. */
int segments_build(struct analysis *a);

/*
 * heap.c: glibc malloc's arenas, heaps, tcaches and every chunk; marks the
 * segments that hold malloc memory as kind heap with their arena.
 */
int heap_walk(struct analysis *a);

/* reach.c: roots, pointer edges (refs), leak verdicts and type hints of used chunks. */
int reach_compute(struct analysis *a);

/* skipped.c: warnings about an address that capture left out say so. */
int skipped_explain(struct analysis *a);

/*
 * db_write.c: db_open, before any stage, makes the temporary the database
 * is written to (and fails at once on an existing file without --force or
 * a folder that cannot be written); db_write writes everything above into
 * it and renames it to its final name.
 */
int db_open(struct analysis *a);
int db_write(struct analysis *a);

#endif
