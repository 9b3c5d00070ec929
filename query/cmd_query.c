/* Placeholder until the query stage lands; replaced by its real entry point. */
#include "builtin.h"
#include "common/log.h"

int cmd_query(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        log_error("'query' is not built yet");
        return EXIT_FAIL;
}
