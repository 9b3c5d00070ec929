# Checks of a database against the live process it was taken from, read
# while the process is stopped: /proc/PID/maps for the modules,
# /proc/PID/task for the threads, and gdb for glibc's own variables.
# Source after lib.sh.

# proc_snapshot PID NAME: saves the ELF files mapped at offset 0 and the
# thread ids into $WORK/NAME.modules and $WORK/NAME.tasks, sorted.
proc_snapshot() {
	local pid=$1 name=$2 path
	awk '$3 == "00000000" && $6 ~ /^\// {print $6}' "/proc/$pid/maps" | sort -u |
		while read -r path; do
			[ "$(head -c 4 "$path" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$path"
		done >"$WORK/$name.modules"
	ls "/proc/$pid/task" | sort -n >"$WORK/$name.tasks"
}

# check_proc_truth LABEL DB NAME: the modules and threads of DB are those proc_snapshot saw.
check_proc_truth() {
	local label=$1 db=$2 name=$3
	check_eq "$label: modules are the ELF files /proc/PID/maps maps" \
		"$(paste -sd' ' "$WORK/$name.modules")" \
		"$(sql "$db" "SELECT path FROM modules WHERE path LIKE '/%' ORDER BY path" | sort -u | paste -sd' ')"
	check_eq "$label: threads are /proc/PID/task" \
		"$(paste -sd' ' "$WORK/$name.tasks")" "$(sql "$db" 'SELECT tid FROM threads ORDER BY tid' | paste -sd' ')"
	check_eq "$label: every thread has frames" 0 "$(sql "$db" 'SELECT count(*) FROM threads WHERE frames = 0')"
}

# gdb_value EXE CORE EXPR: what gdb prints for EXPR in the core, or nothing
# when it cannot (no debug symbols for the variable).
gdb_value() {
	gdb -nx -batch -ex "print $3" "$1" "$2" 2>/dev/null | sed -n 's/^\$1 = //p'
}
