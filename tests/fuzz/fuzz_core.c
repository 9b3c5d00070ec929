/*
 * libFuzzer harness: the core reader and what reads the notes.  The input
 * is a whole core file; it is written to a file (core_open reads a path,
 * maps it and asks the file system where its data lies) and analyzed as
 * `analyze --core-only` does, every stage but the database write: snapshot
 * (prpsinfo, siginfo, auxv, the MEMSNAP notes), skipped, modules and
 * threads (the core's own view, through libdwfl), segments (NT_FILE, the
 * smaps note), heap, reach and explain.  --core-only: the files a crafted
 * NT_FILE names are not opened (fuzz_heap opens those of a real core).
 *
 * Seeds: the samples' cores with their PT_LOADs' bytes left out (headers
 * and notes only), made by tests/fuzz/seed_core.py.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "fuzz_stages.h"
#include "fuzz_work.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        log_set_level(LOG_LEVEL_ERROR);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *path = fuzz_path("core");
        struct analysis a;

        fuzz_write_file(path, data, size);
        (void)fuzz_stages_run(&a, path, true);
        analysis_free(&a);
        return 0;
}
