/* Implementation of array.h. */
#include "array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define ARRAY_FIRST 16

int array_reserve(void **v, size_t *cap, size_t need, size_t elem)
{
        if (need <= *cap)
                return 0;
        if (elem == 0)
                return -EINVAL;
        size_t ncap = *cap ? *cap : ARRAY_FIRST;
        while (ncap < need) {
                if (ncap > SIZE_MAX / 2)
                        return -ENOMEM;
                ncap *= 2;
        }
        if (ncap > SIZE_MAX / elem)
                return -ENOMEM;
        void *nv = realloc(*v, ncap * elem);
        if (!nv)
                return -ENOMEM;
        *v = nv;
        *cap = ncap;
        return 0;
}
