/* Implementation of trend_fit.h. */
#include "trend_fit.h"

struct trend_fit trend_fit_line(const double *t, const int64_t *y, size_t n)
{
        struct trend_fit f = { 0 };
        double mt = 0, my = 0;

        if (n < 2)
                return f;
        /* centred sums: byte counts near 2^40 would lose digits in the one-pass formulas */
        for (size_t i = 0; i < n; i++) {
                mt += t[i];
                my += (double)y[i];
        }
        mt /= (double)n;
        my /= (double)n;
        double stt = 0, sty = 0, syy = 0;
        for (size_t i = 0; i < n; i++) {
                double dt = t[i] - mt, dy = (double)y[i] - my;
                stt += dt * dt;
                sty += dt * dy;
                syy += dy * dy;
        }
        if (stt <= 0 || syy <= 0)
                return f;
        f.slope = sty / stt;
        f.r2 = sty * sty / (stt * syy);
        if (f.r2 > 1)
                f.r2 = 1;
        if (f.r2 < 0)
                f.r2 = 0;
        f.score = f.slope * f.r2;
        return f;
}
