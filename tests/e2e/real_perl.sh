#!/usr/bin/env bash
# perl with big hashes (300,000 string values, 50,000 array refs, a third
# deleted), stopped and captured by memsnap and by gcore: every database
# figure against glibc's mallinfo2() and mp_ as gdb reads them in the
# stopped perl, threads and modules against /proc, frames against gdb.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/real_lib.sh"

real_need /usr/bin/perl gdb gcore
cd "$WORK" || exit 1
real_start PL '^ready$' /usr/bin/perl -e '
	$| = 1;
	my (%h, %g);
	$h{"key$_"} = "v" x ($_ % 700) for 1 .. 40000;
	$g{$_} = [1 .. $_ % 50] for 1 .. 8000;
	delete $h{"key$_"} for grep { $_ % 3 == 0 } 1 .. 40000;
	delete $g{$_} for grep { $_ % 5 == 0 } 1 .. 8000;
	print scalar(keys %h), " ", scalar(keys %g), "\n";
	print "ready\n";
	1 while <STDIN>;
' || { t_result 1 "perl starts"; done_testing; }
check_eq "perl holds the keys left after the deletes" "26667 6400" "$(head -n 1 "$PL_OUT")"
real_snap PL
real_check PL gcore "$WORK/PL.gcore"
real_check PL memsnap "$WORK/PL.core"
real_quit PL
done_testing
