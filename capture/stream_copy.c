/* Implementation of stream_copy.h: SSE2 movntdq for the aligned middle, memcpy for the edges. */
#include "stream_copy.h"

#include <stdint.h>
#include <string.h>

#if STREAM_COPY_BYPASSES_CACHE
#include <emmintrin.h>

#define LINE 64 /* bytes a streaming store fills before it leaves the write-combining buffer */

void stream_copy(void *dst, const void *src, size_t len)
{
        uint8_t *d = dst;
        const uint8_t *s = src;

        /* Up to a line boundary of dst: whole lines stream best. */
        size_t head = (size_t)(-(uintptr_t)d & (LINE - 1));
        if (head > len)
                head = len;
        memcpy(d, s, head);
        d += head;
        s += head;
        len -= head;

        for (; len >= LINE; d += LINE, s += LINE, len -= LINE) {
                __m128i a = _mm_loadu_si128((const __m128i *)s);
                __m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
                __m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
                __m128i e = _mm_loadu_si128((const __m128i *)(s + 48));
                _mm_stream_si128((__m128i *)d, a);
                _mm_stream_si128((__m128i *)(d + 16), b);
                _mm_stream_si128((__m128i *)(d + 32), c);
                _mm_stream_si128((__m128i *)(d + 48), e);
        }
        memcpy(d, s, len);
}

void stream_copy_fence(void)
{
        _mm_sfence();
}

#else

void stream_copy(void *dst, const void *src, size_t len)
{
        memcpy(dst, src, len);
}

void stream_copy_fence(void)
{
}

#endif
