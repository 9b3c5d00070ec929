/*
 * The stages of `memsnap analyze`, in the order analysis_run runs them
 * (analysis.c holds the one table of them).  Each reads what the earlier
 * ones found and writes only its own result in struct analysis, and the
 * warnings; each has a reset that frees its result and leaves it as before
 * the stage ran.  Each returns 0, or a negative errno after logging why,
 * for failures that end the analysis; anything less becomes a warning and
 * the work goes on.
 *
 * To add a stage: write its run and reset functions next to its code,
 * declare them here, give it a struct of its own in struct analysis
 * (analysis.h) and an entry in enum analysis_stage, and add that entry to
 * the table in analysis.c.
 */
#ifndef MEMSNAP_STAGES_H
#define MEMSNAP_STAGES_H

#include "analysis.h"

/*
 * Runs the stages not run yet, in order, up to and including last (from
 * STAGE_CORE: a->opt.core_path opened).  Returns 0, or the failing stage's
 * negative errno (logged); a->next is then that stage, and its partial
 * result is freed by analysis_reset_from or analysis_free.
 */
int analysis_run(struct analysis *a, enum analysis_stage last);

/*
 * Undoes stage from and every later one, through their resets, with the
 * warnings they added: analysis_run then runs them again.  Undoing the
 * threads stage undoes the modules stage too (libdwfl cannot detach the
 * state the threads stage attaches to the modules' Dwfl).
 */
void analysis_reset_from(struct analysis *a, enum analysis_stage from);

/* STAGE_CORE is analysis.c's own: core_open (core/core.c) and the --max-segments check. */

/* snapshot.c: pid, exe, cmdline, source, times and /proc figures from the notes. */
int snapshot_read(struct analysis *a);
void snapshot_reset(struct analysis *a);

/* skipped.c: the MEMSNAP skipped note's ranges that lose memory, each with a warning. */
int skipped_read(struct analysis *a);
void skipped_reset(struct analysis *a);

/* modules.c: loaded ELF modules through libdwfl (dwfl_core_file_report). */
int modules_report(struct analysis *a);
void modules_reset(struct analysis *a);

/* The index into a->modules.v of a libdwfl module (set by modules_report), or NO_ID. */
int module_of(const struct analysis *a, Dwfl_Module *mod);

/* threads.c: threads and their frames through libdwfl (dwfl_core_file_attach). */
int threads_unwind(struct analysis *a);
void threads_reset(struct analysis *a);

/* segments.c: one segment per PT_LOAD with paths, smaps figures and a kind. */
int segments_build(struct analysis *a);
void segments_reset(struct analysis *a);

/*
 * heap.c: the allocators (allocators.c), and the blocks of each one that
 * has a walker (heap.h): glibc malloc's arenas, heaps, tcaches and chunks,
 * and each other allocator's structures and blocks; the ranges of their memory.
 */
int heap_walk(struct analysis *a);
void heap_reset(struct analysis *a);

/*
 * segments.c, the heap-kinds stage: the segments holding malloc memory
 * (the heap stage's ranges and mmapped chunks) become kind heap with their
 * arena, by common/segment_kind.h's rule; unmark puts back the maps' kinds.
 */
int segments_mark_heap(struct analysis *a);
void segments_unmark_heap(struct analysis *a);

/* reach/reach.c: roots, pointer edges (refs), leak verdicts and type hints of used chunks. */
int reach_compute(struct analysis *a);
void reach_reset(struct analysis *a);

/*
 * owners/owners.c: the root holders (the roots table), each root ref's
 * holder, each used block's immediate dominator and retained size.
 */
int owners_compute(struct analysis *a);
void owners_reset(struct analysis *a);

/* skipped.c: warnings about an address that capture left out say so. */
int skipped_explain(struct analysis *a);
void skipped_explain_reset(struct analysis *a);

/*
 * db/db_write.c, after the stages: db_write_open, before any stage, makes
 * the temporary the database is written to (and fails at once on an
 * existing file without --force or a folder that cannot be written);
 * db_write writes everything above into it and renames it to its final
 * name.
 */
int db_write_open(struct analysis *a);
int db_write(struct analysis *a);

#endif
