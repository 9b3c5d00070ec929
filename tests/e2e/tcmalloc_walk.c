/*
 * The tcmalloc walker run on a core by itself, for heap_tcmalloc: finds
 * libtcmalloc in the core's NT_FILE entries, reads the address of the
 * exported ThreadCache::thread_heaps_ from the library file's .dynsym
 * (libelf), and prints what analyze/tcmalloc/ finds:
 *
 *   figure NAME VALUE          tcmalloc's figures, as MallocExtension names them
 *   stats NAME VALUE           the page heap's own Stats
 *   class CL SIZE USED CENTRAL TRANSFER THREAD
 *   block ADDR SIZE STATE
 *   cache ADDR OBJECTS BYTES
 *   warning ADDR MESSAGE
 *
 * Usage: tcmalloc_walk CORE.  Exit 0 when the heap was walked, 1 when it
 * was not found (a warning says why), 2 on bad usage.
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analyze/core/core.h"
#include "analyze/core/elf_util.h"
#include "analyze/tcmalloc/tcmalloc_heap.h"

/* The value of a defined .dynsym symbol in the ELF file at path, or 0. */
static uint64_t dynsym_value(const char *path, const char *name)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        uint64_t value = 0;
        Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
        for (Elf_Scn *scn = NULL; elf && !value && (scn = elf_nextscn(elf, scn));) {
                GElf_Shdr sh;
                Elf_Data *data;
                if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !(data = elf_getdata(scn, NULL)))
                        continue;
                for (size_t i = 0; sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
                        GElf_Sym sym;
                        const char *s = gelf_getsym(data, (int)i, &sym) ? elf_strptr(elf, sh.sh_link, sym.st_name) : NULL;
                        if (s && sym.st_shndx != SHN_UNDEF && strcmp(s, name) == 0) {
                                value = sym.st_value;
                                break;
                        }
                }
        }
        elf_end(elf);
        close(fd);
        return value;
}

static void print_warnings(const struct warnings *w, size_t from)
{
        for (size_t i = from; i < w->n; i++)
                printf("warning %#llx %s\n", (unsigned long long)w->v[i].address, w->v[i].message);
}

int main(int argc, char **argv)
{
        if (argc != 2) {
                fprintf(stderr, "usage: tcmalloc_walk CORE\n");
                return 2;
        }
        elf_version(EV_CURRENT);
        struct warnings w = { 0 };
        struct core c;
        if (core_open(&c, argv[1], &w) < 0)
                return 1;
        size_t core_warnings = w.n;
        uint64_t lo = UINT64_MAX, hi = 0;
        const char *path = NULL;
        for (size_t i = 0; i < c.nfiles; i++)
                if (strstr(c.files[i].path, "libtcmalloc")) {
                        path = c.files[i].path;
                        lo = c.files[i].start < lo ? c.files[i].start : lo;
                        hi = c.files[i].end > hi ? c.files[i].end : hi;
                }
        if (!path) {
                fprintf(stderr, "tcmalloc_walk: no libtcmalloc in core '%s'\n", argv[1]);
                return 1;
        }
        /* the library's .bss continues in the anonymous mapping right after its last file page */
        const struct core_segment *bss = core_segment_at(&c, hi);
        if (bss)
                hi = bss->vaddr + bss->memsz;
        struct tcmalloc_roots r = { 0 };
        uint64_t sym = dynsym_value(path, TCMALLOC_SYM_THREAD_HEAPS);
        if (sym)
                r.thread_heaps = lo + sym;
        if (tcmalloc_find(&c, lo, hi, &r, &w) < 0) {
                print_warnings(&w, core_warnings);
                return 1;
        }
        struct tcmalloc_heap h = { 0 };
        if (tcmalloc_heap_walk(&c, &r, &h, &w) < 0)
                return 1;
        const struct tcmalloc_figures *f = &h.figures;
        printf("figure generic.current_allocated_bytes %llu\n", (unsigned long long)f->current_allocated_bytes);
        printf("figure generic.heap_size %llu\n", (unsigned long long)f->heap_size);
        printf("figure tcmalloc.pageheap_free_bytes %llu\n", (unsigned long long)f->pageheap_free_bytes);
        printf("figure tcmalloc.pageheap_unmapped_bytes %llu\n", (unsigned long long)f->pageheap_unmapped_bytes);
        printf("figure tcmalloc.central_cache_free_bytes %llu\n", (unsigned long long)f->central_cache_free_bytes);
        printf("figure tcmalloc.transfer_cache_free_bytes %llu\n", (unsigned long long)f->transfer_cache_free_bytes);
        printf("figure tcmalloc.thread_cache_free_bytes %llu\n", (unsigned long long)f->thread_cache_free_bytes);
        printf("stats system_bytes %llu\nstats free_bytes %llu\nstats unmapped_bytes %llu\n",
               (unsigned long long)f->stats_system_bytes, (unsigned long long)f->stats_free_bytes,
               (unsigned long long)f->stats_unmapped_bytes);
        for (uint32_t cl = 1; cl < h.nclasses; cl++) {
                const struct tcmalloc_class *k = &h.classes[cl];
                printf("class %u %u %llu %llu %llu %llu\n", cl, k->size, (unsigned long long)k->count[TCMALLOC_USED],
                       (unsigned long long)k->count[TCMALLOC_CENTRAL], (unsigned long long)k->count[TCMALLOC_TRANSFER],
                       (unsigned long long)k->count[TCMALLOC_THREAD]);
        }
        for (size_t i = 0; i < h.nblocks; i++)
                printf("block %#llx %llu %s\n", (unsigned long long)h.blocks[i].address, (unsigned long long)h.blocks[i].size,
                       tcmalloc_state_name(h.blocks[i].state));
        for (size_t i = 0; i < h.ncaches; i++)
                printf("cache %#llx %llu %llu\n", (unsigned long long)h.caches[i].address,
                       (unsigned long long)h.caches[i].objects, (unsigned long long)h.caches[i].bytes);
        print_warnings(&w, core_warnings);
        tcmalloc_heap_free(&h);
        warnings_free(&w);
        core_close(&c);
        return 0;
}
