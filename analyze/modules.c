/* Placeholder until the modules stage lands: no modules. */
#include "stages.h"

int modules_report(struct analysis *a)
{
        (void)a;
        return 0;
}
