/*
 * undumpable: a process that made itself non-dumpable with
 * prctl(PR_SET_DUMPABLE, 0), as setuid programs and some daemons are.  Only
 * a tracer with CAP_SYS_PTRACE may capture it.
 *
 * Prints "pid P", "ready", then serves sample_io commands.
 */
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "samples/sample_io.h"

int main(void)
{
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
                perror("undumpable: prctl");
                return 1;
        }
        say("pid %d", (int)getpid());
        say("ready");
        sample_serve(NULL, NULL);
        return 0;
}
