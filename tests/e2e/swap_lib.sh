# A swap file for the tests that need pages in swap, on a machine that has
# none: made in /var/tmp (a swap file must be on a real filesystem, not
# tmpfs), turned on with swapon, and turned off and removed when the test
# ends.  Source after lib.sh.
#
#   swap_file_on   0 when swap is available (it was, or the file is on);
#                  otherwise 1, with SWAP_WHY saying why
SWAP_FILE=
SWAP_WHY=

swap_file_off() {
	[ -n "$SWAP_FILE" ] || return 0
	swapoff "$SWAP_FILE" 2>/dev/null
	rm -f "$SWAP_FILE"
	SWAP_FILE=
}

swap_file_on() {
	if [ "$(wc -l </proc/swaps)" -gt 1 ]; then
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		SWAP_WHY="no swap, and only root can turn a swap file on"
		return 1
	fi
	local f err
	f=$(mktemp /var/tmp/memsnap-swap.XXXXXX) || { SWAP_WHY="cannot make a file in /var/tmp"; return 1; }
	chmod 600 "$f"
	# mkswap needs the blocks allocated: fallocate where the filesystem can, dd where not.
	if ! err=$({ fallocate -l 32M "$f" || dd if=/dev/zero of="$f" bs=1M count=32 status=none; } 2>&1) ||
		! err=$(mkswap -q "$f" 2>&1) || ! err=$(swapon "$f" 2>&1); then
		rm -f "$f"
		SWAP_WHY="cannot turn a swap file on: ${err:-unknown error}"
		return 1
	fi
	SWAP_FILE=$f
	trap 'swap_file_off; t_cleanup' EXIT
	return 0
}
