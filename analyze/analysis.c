/* Implementation of analysis.h: the end of an analysis's life, and its segments by address. */
#include <stdlib.h>

#include "analysis.h"

#include "common/glibc_malloc.h"

void analysis_free(struct analysis *a)
{
        free(a->snap.comm);
        free(a->snap.exe);
        free(a->snap.cmdline);
        free(a->snap.captured_at);
        free(a->snap.glibc_version);
        free(a->snap.glibc_build_id);
        skipped_list_free(&a->skipped);
        for (size_t i = 0; i < a->nsegments; i++) {
                free(a->segments[i].path);
                free(a->segments[i].vm_flags);
        }
        free(a->segments);
        for (size_t i = 0; i < a->nmodules; i++) {
                free(a->modules[i].path);
                free(a->modules[i].build_id);
                free(a->modules[i].file_build_id);
                free(a->modules[i].elf_file);
                free(a->modules[i].phdrs);
                free(a->modules[i].debug_file);
        }
        free(a->modules);
        for (size_t i = 0; i < a->nthreads; i++) {
                free(a->threads[i].name);
                free(a->threads[i].unwind_stop);
        }
        free(a->threads);
        for (size_t i = 0; i < a->nframes; i++) {
                free(a->frames[i].function);
                free(a->frames[i].symbol);
                free(a->frames[i].source_file);
        }
        free(a->frames);
        for (size_t i = 0; i < a->nlive_frames; i++) {
                free(a->live_frames[i].function);
                free(a->live_frames[i].symbol);
                free(a->live_frames[i].module);
        }
        free(a->live_frames);
        free(a->arenas);
        free(a->heaps);
        free(a->chunks);
        free(a->refs);
        free(a->tcaches);
        for (size_t i = 0; i < a->nallocators; i++)
                free(a->allocators[i].evidence);
        free(a->allocators);
        for (size_t i = 0; i < a->ntypes; i++)
                free(a->types[i]);
        free(a->types);
        if (a->dwfl)
                dwfl_end(a->dwfl);
        core_view_close(&a->dwfl_view);
        /* A zeroed analysis has fd 0 in both: close only what was opened. */
        if (a->core.path)
                core_close(&a->core);
        warnings_free(&a->warnings);
        if (a->out.path)
                atomic_file_discard(&a->out);
}

size_t segment_index_from(const struct segment *v, size_t n, uint64_t addr)
{
        size_t lo = 0, hi = n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (v[mid].end <= addr)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

uint64_t ref_from_address(const struct ref *x)
{
        return x->root_kind == ROOT_REGISTER ? 0 : x->from;
}

static uint32_t offset32(uint64_t v)
{
        return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

uint32_t ref_from_offset(const struct analysis *a, const struct ref *x)
{
        if (x->root_kind == ROOT_REGISTER)
                return offset32(x->from);
        if (x->from_chunk >= 0 && (size_t)x->from_chunk < a->nchunks) {
                uint64_t mem = a->chunks[x->from_chunk].address + GLIBC_CHUNK_HDR_SZ;
                return x->from >= mem ? offset32(x->from - mem) : 0;
        }
        size_t i = segment_index_from(a->segments, a->nsegments, x->from);
        return i < a->nsegments && a->segments[i].start <= x->from ? offset32(x->from - a->segments[i].start) : 0;
}
