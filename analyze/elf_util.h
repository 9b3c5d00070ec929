/*
 * What analyze's users of libelf and libdwfl share: cleanups for their
 * handles, build-ids as the hex strings the database stores, and the
 * libdwfl callback that --no-debuginfo installs.
 */
#ifndef MEMSNAP_ELF_UTIL_H
#define MEMSNAP_ELF_UTIL_H

#include <elfutils/libdwfl.h>
#include <libelf.h>
#include <stddef.h>

#include "common/cleanup.h"

/* Bytes of a build-id we keep; GNU build-ids are 20 (sha1) or 16 (md5, uuid). */
#define BUILD_ID_MAX 64

DEFINE_POINTER_CLEANUP(Elf, elf_end)
DEFINE_POINTER_CLEANUP(Dwfl, dwfl_end)

/* The len bytes at bits as lowercase hex, NUL-terminated; NULL when out of memory. */
char *build_id_hex(const void *bits, size_t len);

/* Dwfl_Callbacks.find_debuginfo for --no-debuginfo: no separate debug file, ever. */
int find_debuginfo_none(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
                           const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
                           char **debuginfo_file_name);

#endif
