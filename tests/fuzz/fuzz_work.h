/*
 * What the libFuzzer harnesses share: a private folder for the files they
 * hand to memsnap's code (which reads paths, not buffers), removed at exit,
 * and an end to a run that found memsnap doing what it must never do.
 */
#ifndef MEMSNAP_FUZZ_WORK_H
#define MEMSNAP_FUZZ_WORK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The path of name inside the harness's private folder, made on first use. */
const char *fuzz_path(const char *name);

/* Writes len bytes of data at offset of fd (the file at path); aborts when it cannot. */
void fuzz_pwrite(int fd, const void *data, size_t len, off_t offset, const char *path);

/* Replaces the file at path with len bytes of data; aborts when it cannot. */
void fuzz_write_file(const char *path, const void *data, size_t len);

/* Reads the whole file at path into a malloc'd buffer; aborts when it cannot. */
uint8_t *fuzz_read_file(const char *path, size_t *len);

/* Says why and aborts, which libFuzzer reports as a crash with this input. */
__attribute__((noreturn, format(printf, 1, 2))) void fuzz_fail(const char *fmt, ...);

#endif
