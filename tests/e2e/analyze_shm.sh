#!/usr/bin/env bash
# Shared memory is `shm`, whichever program wrote the core, and is not
# counted as data: shm_maps holds shared anonymous memory, a POSIX shm
# object, a SysV segment and a memfd, all MAP_SHARED and touched, plus a
# regular file mapped MAP_SHARED (which stays `file`).  While it is stopped
# its /proc/PID/status VmData is read, and memsnap and gdb's gcore each
# write a core; then it aborts, and the kernel writes the third.  In each
# database every shared mapping is kind shm with perms ..s, and
# segment_summary's DATA is the kernel's VmData exactly: VmData counts the
# writable mappings that are neither shared nor stack (mm/vma.h
# is_data_mapping, fs/proc/task_mmu.c task_mem), page by page, as DATA does.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

# The kernel's core: the limit is raised before the process starts, which inherits it.
pattern=$(cat /proc/sys/kernel/core_pattern)
kernel_why=
if [ "$pattern" != core ] && [ "$pattern" != core.%p ]; then
	kernel_why="kernel cores: core_pattern is '$pattern', not 'core' (set kernel.core_pattern=core to run this leg)"
elif ! ulimit -c unlimited 2>/dev/null; then
	kernel_why="kernel cores: cannot raise the core size limit (ulimit -c unlimited)"
fi
mkdir kernel
cd kernel || exit 1
start_sample X shm_maps "$WORK/shared.file" || { t_result 1 "shm_maps starts"; done_testing; exit 1; }
cd "$WORK" || exit 1
cleanup_shm() { rm -f "/dev/shm/memsnap-shm-$X_PID"; t_cleanup; }
trap cleanup_shm EXIT

kill -STOP "$X_PID"
cp "/proc/$X_PID/status" stopped.status
"$MEMSNAP" capture -q "$X_PID" -o mem.core
check_eq "memsnap capture of the stopped process exits 0" 0 $?
have_gcore=0
if command -v gcore >/dev/null; then
	gcore -o g "$X_PID" >gcore.log 2>&1
	[ -s "g.$X_PID" ] && have_gcore=1
fi
check_eq "VmData did not change while the cores were written" \
	"$(awk '/^VmData:/ {print $2}' stopped.status)" "$(awk '/^VmData:/ {print $2}' "/proc/$X_PID/status")"
vm_data=$(awk '/^VmData:/ {print $2}' stopped.status)
kill -CONT "$X_PID"
diag "VmData $vm_data kB"

# judge LABEL DB PERMS: kinds, perms and DATA in one database.  PERMS is
# what the perms of every shared mapping must match (a LIKE pattern): gcore
# writes no PT_LOAD for a file mapped shared (the /dev/shm object), so its
# write permission is not in gcore's core, only its sharing.
judge() {
	local label=$1 db=$2 perms=$3 kind addr len got
	while read -r kind addr len; do
		got=$(sql "$db" "SELECT kind FROM segments WHERE start = $((addr)) AND \"end\" = $((addr + len)) AND perms LIKE '$perms'")
		check_eq "$label: the $kind shared mapping at $addr is shm, perms $perms" shm "$got"
	done < <(truth X shm)
	read -r addr len < <(truth X file)
	check_eq "$label: the regular file mapped MAP_SHARED is file" "file|$WORK/shared.file" \
		"$(sql "$db" "SELECT kind, path FROM segments WHERE start = $((addr)) AND \"end\" = $((addr + len))")"
	local data
	data=$(sql "$db" "SELECT data_kb FROM segment_summary WHERE kind = 'total'")
	if [ "$label" = kernel ]; then
		# A kernel core has no shared bit and no smaps: the regular file mapped
		# MAP_SHARED and writable looks private there, and is counted (docs/database.md).
		check_eq "$label: segment_summary DATA is VmData and the shared regular file's $((len / 1024)) KiB" \
			"$((vm_data + len / 1024))" "$data"
	else
		check_eq "$label: segment_summary DATA is the stopped process's VmData" "$vm_data" "$data"
	fi
	check_eq "$label: shm adds nothing to DATA" 0 "$(sql "$db" "SELECT data_kb FROM segment_summary WHERE kind = 'shm'")"
}

"$MEMSNAP" analyze -q mem.core -o mem.db
check_eq "analyze of memsnap's core exits 0" 0 $?
judge memsnap mem.db rw-s

if [ "$have_gcore" = 1 ]; then
	"$MEMSNAP" analyze -q "g.$X_PID" -o gcore.db
	check_eq "analyze of gcore's core exits 0" 0 $?
	judge gcore gcore.db r_-s
else
	skip "gcore wrote no core: $(tail -n 1 gcore.log 2>/dev/null)"
fi

if [ -n "$kernel_why" ]; then
	skip "$kernel_why"
else
	send X abort
	wait "$X_PID" 2>/dev/null
	kcore=kernel/core
	[ -f "$kcore" ] || kcore=kernel/core.$X_PID
	if [ -s "$kcore" ]; then
		"$MEMSNAP" analyze -q "$kcore" -o kernel.db
		check_eq "analyze of the kernel's core exits 0" 0 $?
		judge kernel kernel.db rw-s
	else
		skip "the kernel wrote no core for pid $X_PID in $WORK/kernel"
	fi
fi
done_testing
