/*
 * libFuzzer harness: the core reader and what reads the notes.  The input
 * is a whole core file; it is written to a file (core_open reads a path,
 * maps it and asks the file system where its data lies) and given to
 * core_open and the stages that need no file from disk: snapshot (prpsinfo,
 * siginfo, auxv, the MEMSNAP notes), skipped, segments (NT_FILE, the smaps
 * note), heap, reach and explain.  modules and threads are left out: they
 * hand the core to libdwfl, which opens every file the core names.
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
        (void)fuzz_stages_run(&a, path, false);
        analysis_free(&a);
        return 0;
}
