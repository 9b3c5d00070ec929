/* Placeholder until the snapshot stage lands: pid from the first thread only. */
#include "stages.h"

int snapshot_read(struct analysis *a)
{
        a->snap.source = a->core.source;
        a->snap.pid = a->core.nthreads ? a->core.threads[0].tid : 0;
        a->snap.pause_ms = -1;
        a->snap.vm_rss_kb = a->snap.vm_size_kb = a->snap.vm_data_kb = a->snap.vm_stk_kb = -1;
        a->snap.vm_exe_kb = a->snap.vm_lib_kb = a->snap.vm_swap_kb = a->snap.vm_hwm_kb = -1;
        a->snap.vm_peak_kb = a->snap.rss_anon_kb = a->snap.rss_file_kb = a->snap.rss_shmem_kb = -1;
        a->snap.vm_pte_kb = -1;
        return 0;
}
