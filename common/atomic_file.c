/* Implementation of atomic_file.h: temporary, sync, rename. */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

/*
 * The name a signal handler must unlink.  Signal handlers reach no context
 * struct, so this one path lives at file scope; it is written before the
 * handler is installed and cleared before the buffer is freed.
 */
static char signal_unlink_path[PATH_MAX];

static char *dir_of(const char *path)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return NULL;
        return strdup(dirname(copy));
}

int atomic_file_begin(struct atomic_file *af, const char *path, bool force, bool named)
{
        struct stat st;

        *af = (struct atomic_file)ATOMIC_FILE_INIT;
        af->force = force;

        if (lstat(path, &st) == 0) {
                if (S_ISDIR(st.st_mode))
                        return log_error_errno(EISDIR, "cannot write '%s': %m", path);
                if (!force)
                        return log_error_errno(EEXIST, "'%s' exists; use --force to replace it", path);
        }

        af->path = strdup(path);
        _cleanup_free_ char *dir = dir_of(path);
        if (!af->path || !dir)
                return log_error_errno(ENOMEM, "cannot write '%s': %m", path);

        if (!named) {
                int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
                if (fd >= 0) {
                        af->fd = fd;
                        return 0;
                }
                if (errno != EOPNOTSUPP && errno != EISDIR && errno != ENOENT && errno != EINVAL)
                        return log_error_errno(errno, "cannot create a file in '%s': %m", dir);
                /* ENOENT here also means the folder is missing: let mkostemp say so. */
        }

        if (asprintf(&af->tmp_path, "%s.tmp-XXXXXX", path) < 0) {
                af->tmp_path = NULL;
                return log_error_errno(ENOMEM, "cannot write '%s': %m", path);
        }
        int fd = mkostemp(af->tmp_path, O_CLOEXEC);
        if (fd < 0) {
                int r = -errno;
                free(af->tmp_path);
                af->tmp_path = NULL;
                return log_error_errno(r, "cannot create a file in '%s': %m", dir);
        }
        if (fchmod(fd, 0600) < 0) {
                int r = -errno;
                close(fd);
                unlink(af->tmp_path);
                return log_error_errno(r, "cannot set the mode of '%s': %m", af->tmp_path);
        }
        af->fd = fd;
        return 0;
}

static int link_tmpfile(struct atomic_file *af)
{
        char proc[64];

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", af->fd);
        if (!af->force) {
                /* linkat never replaces: a file that appeared meanwhile is kept. */
                if (linkat(AT_FDCWD, proc, AT_FDCWD, af->path, AT_SYMLINK_FOLLOW) < 0) {
                        if (errno == EEXIST)
                                return log_error_errno(EEXIST, "'%s' appeared while writing; use --force to replace it",
                                                       af->path);
                        return log_error_errno(errno, "cannot create '%s': %m", af->path);
                }
                return 0;
        }

        /* With --force: link under a unique name, then rename over the old file. */
        _cleanup_free_ char *tmp = NULL;
        bool linked = false;
        for (int attempt = 0; attempt < 100 && !linked; attempt++) {
                free(tmp);
                if (asprintf(&tmp, "%s.tmp-%d-%d", af->path, (int)getpid(), attempt) < 0) {
                        tmp = NULL;
                        return log_error_errno(ENOMEM, "cannot create '%s': %m", af->path);
                }
                linked = linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0;
                if (!linked && errno != EEXIST)
                        return log_error_errno(errno, "cannot create '%s': %m", tmp);
        }
        /* Every name taken: the last one is someone else's file, never to be renamed. */
        if (!linked)
                return log_error_errno(EEXIST, "cannot create '%s': 100 temporary names beside it are taken",
                                       af->path);
        if (rename(tmp, af->path) < 0) {
                int r = -errno;
                unlink(tmp);
                return log_error_errno(r, "cannot rename '%s' to '%s': %m", tmp, af->path);
        }
        return 0;
}

static int sync_dir(const char *path)
{
        _cleanup_free_ char *dir = dir_of(path);
        if (!dir)
                return -ENOMEM;
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0)
                return -errno;
        return 0;
}

int atomic_file_commit(struct atomic_file *af)
{
        int r;

        if (af->fd < 0)
                return log_error_errno(EBADF, "cannot commit '%s': it is not open", af->path);

        if (fsync(af->fd) < 0)
                return log_error_errno(errno, "cannot write '%s': %m", af->path);

        if (!af->tmp_path) {
                r = link_tmpfile(af);
                if (r < 0)
                        return r;
        } else if (af->force) {
                if (rename(af->tmp_path, af->path) < 0)
                        return log_error_errno(errno, "cannot rename '%s' to '%s': %m", af->tmp_path,
                                               af->path);
        } else {
                if (renameat2(AT_FDCWD, af->tmp_path, AT_FDCWD, af->path, RENAME_NOREPLACE) < 0) {
                        if (errno == EEXIST)
                                return log_error_errno(EEXIST, "'%s' appeared while writing; use --force to replace it",
                                                       af->path);
                        /* File systems without RENAME_NOREPLACE: link refuses to replace too. */
                        if (errno != EINVAL && errno != ENOSYS)
                                return log_error_errno(errno, "cannot rename '%s' to '%s': %m",
                                                       af->tmp_path, af->path);
                        if (link(af->tmp_path, af->path) < 0)
                                return log_error_errno(errno, "cannot create '%s': %m", af->path);
                        unlink(af->tmp_path);
                }
        }

        if (af->tmp_path && strcmp(signal_unlink_path, af->tmp_path) == 0)
                signal_unlink_path[0] = '\0';
        free(af->tmp_path);
        af->tmp_path = NULL;
        close(af->fd);
        af->fd = -1;
        (void)sync_dir(af->path);
        return 0;
}

void atomic_file_discard(struct atomic_file *af)
{
        if (af->tmp_path) {
                if (strcmp(signal_unlink_path, af->tmp_path) == 0)
                        signal_unlink_path[0] = '\0';
                unlink(af->tmp_path);
                free(af->tmp_path);
                af->tmp_path = NULL;
        }
        if (af->fd >= 0)
                close(af->fd);
        af->fd = -1;
        free(af->path);
        af->path = NULL;
}

static void unlink_and_die(int sig)
{
        if (signal_unlink_path[0])
                unlink(signal_unlink_path);
        signal(sig, SIG_DFL);
        raise(sig);
}

void atomic_file_install_signal_cleanup(struct atomic_file *af)
{
        if (!af->tmp_path || strlen(af->tmp_path) >= sizeof(signal_unlink_path))
                return;
        strcpy(signal_unlink_path, af->tmp_path);

        struct sigaction sa = { .sa_handler = unlink_and_die };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
}
