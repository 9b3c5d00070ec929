/*
 * Output files that appear whole or not at all.  A core or database is
 * written under a temporary name in the destination folder and renamed over
 * the final name only when complete and synced; on failure, a signal or a
 * SIGKILL, nothing is left under the final name.
 *
 * Where the file system allows it the temporary is an O_TMPFILE, which has no
 * name at all until the commit, so even a SIGKILL leaves nothing behind.
 * SQLite needs a path, so databases use a named temporary ("NAME.tmp-XXXXXX"),
 * unlinked on SIGINT/SIGTERM/SIGHUP through atomic_file_install_signal_cleanup.
 * It is flock()ed while its writer lives; one left by a SIGKILL has a free
 * lock and is removed by the next atomic_file_begin for the same name.
 *
 * --force replaces a regular file only: a device, FIFO, socket or symlink at
 * the final name is refused.
 *
 * Files are created with mode 0600: they hold the target's secrets.
 */
#ifndef MEMSNAP_ATOMIC_FILE_H
#define MEMSNAP_ATOMIC_FILE_H

#include <stdbool.h>

struct atomic_file {
        char *path;     /* final name, as the user gave it */
        char *tmp_path; /* named temporary, or NULL for an O_TMPFILE */
        int fd;         /* open for writing; -1 once committed or discarded */
        bool force;     /* replace an existing file at path */
};

#define ATOMIC_FILE_INIT { .fd = -1 }

/*
 * Starts a file that will become `path`.  Fails with -EEXIST (and a message
 * that names --force) when path exists and !force.  `named` asks for a
 * temporary with a path (tmp_path), for libraries that open by name.
 */
int atomic_file_begin(struct atomic_file *af, const char *path, bool force, bool named);

/* Syncs and gives the file its final name.  Logs and returns -errno on failure. */
int atomic_file_commit(struct atomic_file *af);

/* Drops the temporary (no-op when committed); frees everything. */
void atomic_file_discard(struct atomic_file *af);

/*
 * Makes SIGINT, SIGTERM and SIGHUP end the process: before the commit the
 * named temporary of af is unlinked and the exit status is 1, after it the
 * file is complete and the exit status is 0.  Only one file is tracked at a
 * time.
 */
void atomic_file_install_signal_cleanup(struct atomic_file *af);

#endif
