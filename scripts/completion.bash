# bash completion for memsnap (installed as bash-completion/completions/memsnap).
#
# Everything offered comes from the memsnap being completed (the first word
# as typed: memsnap on PATH, or ./build/memsnap), asked once per shell:
#   memsnap help         the commands
#   memsnap CMD --help   CMD's options and which take a value (the values
#                        of a|b|c or of the list under the option), the
#                        operands of its usage line, and the lists its help
#                        names after an operand ("reports:" for REPORT)
# so a command, an option or a report added to memsnap completes with no
# change here.  Operands: PID and TARGET complete running processes (a name
# typed where a PID goes completes to that process's pids; TARGET takes the
# name itself); CORE, DB, FILE, PATH and NAME.db complete files, DIR folders.

declare -gA _memsnap_cache

# _memsnap_ask BIN ARGS...: what `BIN ARGS...` prints, asked once per shell
_memsnap_ask() {
	local key="$*"
	if [[ -z ${_memsnap_cache[$key]+set} ]]; then
		_memsnap_cache[$key]=$("$@" 2>/dev/null)
	fi
	printf '%s\n' "${_memsnap_cache[$key]}"
}

# the commands of `memsnap help`, and the options of its usage lines (--version)
_memsnap_commands() {
	_memsnap_ask "$1" help | awk '
		/^commands:$/ { f = 1; next }
		f && !NF { f = 0 }
		f && /^  [^ ]/ { print $1 }
		/^(usage:)? +memsnap -/ { for (i = 1; i <= NF; i++) if ($i ~ /^-/) print $i }'
}

# NAME<TAB>ARG for each option of `memsnap CMD --help` (ARG empty for a flag)
_memsnap_options() {
	_memsnap_ask "$1" "$2" --help | awk '
		/^options:$/ { f = 1; next }
		f && !NF { exit }
		f && (/^  -/ || /^      --/) {
			tag = $0
			sub(/^ +/, "", tag)
			sub(/  .*/, "", tag)
			n = split(tag, names, ", ")
			arg = ""
			if (match(names[n], / /)) {
				arg = substr(names[n], RSTART + 1)
				names[n] = substr(names[n], 1, RSTART - 1)
			}
			for (i = 1; i <= n; i++) print names[i] "\t" arg
		}'
}

# the values listed under OPTION in `memsnap CMD --help`, one a line, each
# line indented past the option's help column ("  table  aligned columns")
_memsnap_option_list() {
	_memsnap_ask "$1" "$2" --help | awk -v opt="$3" '
		/^options:$/ { f = 1; next }
		f && !NF { exit }
		!f { next }
		/^  -/ || /^      --/ {
			tag = $0
			sub(/^ +/, "", tag)
			sub(/  .*/, "", tag)
			mine = (index(tag ",", opt " ") || index(tag ",", opt ","))
			col = (match($0, /[^ ] {2,}[^ ]/) ? RSTART + RLENGTH - 2 : -1)
			next
		}
		mine {
			match($0, /^ */)
			if (col < 0) col = RLENGTH
			else if (RLENGTH > col) print $1
		}'
}

# One line per usage line of `memsnap CMD --help`: FLAG;OPERANDS, where
# FLAG is the option a line begins with, which selects it among the
# command's lines (report --sql REPORT), or empty.  An option later in a
# line is one the line requires (watch TARGET --every DURATION): it and
# its value are not operands.
_memsnap_usages() {
	_memsnap_ask "$1" "$2" --help | awk -v cmd="$2" '
		/^usage: / { u = 1 }
		u && !NF { exit }
		u {
			for (i = 1; i <= NF && $i != cmd; i++) ;
			flag = ""; ops = ""; skip = 0; first = i + 1
			for (i++; i <= NF; i++) {
				w = $i
				opens = gsub(/\[/, "[", w); closes = gsub(/\]/, "]", w)
				if (skip > 0) { skip += opens - closes; continue }
				if (w ~ /^\[-/ || w ~ /^\[OPTIONS\]/) { skip = opens - closes; continue }
				if (w ~ /^-/) {
					if (i == first) flag = w
					else if ($(i + 1) ~ /^[A-Z]+$/) i++
					continue
				}
				gsub(/[][]/, "", w)
				if (w != "") ops = ops " " w
			}
			print flag ";" substr(ops, 2)
		}'
}

_memsnap_pids() {
	local d
	for d in /proc/[0-9]*; do
		printf '%s\n' "${d#/proc/}"
	done
}

# PID<TAB>NAME of every process, its name as the kernel keeps it (comm)
_memsnap_processes() {
	local d comm
	for d in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$d/comm" || continue
		printf '%s\t%s\n' "${d#/proc/}" "$comm"
	done
}

# _memsnap_reply WORD...: COMPREPLY, the words that begin with $cur
_memsnap_reply() {
	local w
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
}

_memsnap_files() {
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen "$1" -- "$cur")
}

# _memsnap_value BIN CMD KIND [OPTION]: completes $cur as a value of KIND
# (an operand's name or an option's argument)
_memsnap_value() {
	local bin=$1 cmd=$2 kind=$3 opt=${4-} list
	case $kind in
	*'|'*)
		local IFS='|'
		_memsnap_reply $kind
		return ;;
	PID)
		if [[ -z $cur || $cur =~ ^[0-9]+$ ]]; then
			_memsnap_reply $(_memsnap_pids)
		else
			# a name where a pid goes: its pids
			local pid name
			while IFS=$'\t' read -r pid name; do
				[[ $name == "$cur"* ]] && COMPREPLY+=("$pid")
			done < <(_memsnap_processes)
		fi
		return ;;
	TARGET)
		# a pid, or a process's name
		if [[ $cur =~ ^[0-9]+$ ]]; then
			_memsnap_reply $(_memsnap_pids)
		else
			_memsnap_reply $(_memsnap_processes | cut -f2 | sort -u)
		fi
		return ;;
	*DIR*)
		_memsnap_files -d
		return ;;
	*FILE* | *CORE* | *DB* | *.db | *PATH*)
		_memsnap_files -f
		return ;;
	esac
	if [[ -n $opt ]]; then
		list=$(_memsnap_option_list "$bin" "$cmd" "$opt")
	else
		# REPORT: the list the help gives under "reports:"
		list=$(_memsnap_ask "$bin" "$cmd" --help | awk -v h="${kind,,}s:" '
			$0 == h { f = 1; next }
			f && !NF { exit }
			f && /^  [^ ]/ { print $1 }')
	fi
	_memsnap_reply $list
}

_memsnap() {
	local bin=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	[[ $bin == "~/"* ]] && bin=$HOME/${bin#"~/"}
	if ((COMP_CWORD == 1)); then
		# the commands; --version when an option is begun
		if [[ $cur == -* ]]; then
			_memsnap_reply $(_memsnap_commands "$bin" | grep '^-')
		else
			_memsnap_reply $(_memsnap_commands "$bin" | grep -v '^-')
		fi
		return
	fi
	local cmd=${COMP_WORDS[1]}
	if [[ $cmd == help ]]; then
		((COMP_CWORD == 2)) && _memsnap_reply $(_memsnap_commands "$bin" | grep -v '^-')
		return
	fi
	local options
	options=$(_memsnap_options "$bin" "$cmd")
	[[ -n $options ]] || return

	# the value of an option: --opt VALUE, --opt=VALUE (one word, or three
	# when = breaks words, as COMP_WORDBREAKS has it by default)
	local opt= arg=
	if [[ $cur == --*=* ]]; then
		opt=${cur%%=*}
		cur=${cur#*=}
	elif [[ $cur == = && $prev == --* ]]; then
		opt=$prev
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD >= 3)); then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $prev == -* ]]; then
		opt=$prev
	fi
	if [[ -n $opt ]]; then
		arg=$(awk -F '\t' -v o="$opt" '$1 == o { print $2; exit }' <<<"$options")
		if [[ -n $arg ]]; then
			_memsnap_value "$bin" "$cmd" "$arg" "$opt"
			return
		fi
	fi
	if [[ $cur == -* ]]; then
		_memsnap_reply $(cut -f1 <<<"$options")
		return
	fi

	# an operand: which one, counting those before it
	local i w n=0 ended= words=" "
	for ((i = 2; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -z $ended && $w == -- ]]; then
			ended=1
		elif [[ -z $ended && $w == -?* ]]; then
			words+="$w "
			if [[ ${COMP_WORDS[i + 1]-} == = ]]; then
				((i += 2))
			elif [[ $w != *=* && -n $(awk -F '\t' -v o="$w" '$1 == o { print $2; exit }' <<<"$options") ]]; then
				((i++))
			fi
		elif [[ $w != = ]]; then
			((n++))
		fi
	done
	local flag ops operands=
	while IFS=';' read -r flag ops; do
		if [[ -n $flag && $words == *" $flag "* ]]; then
			operands=$ops
			break
		fi
		[[ -z $flag && -z $operands ]] && operands=$ops
	done < <(_memsnap_usages "$bin" "$cmd")
	local -a kinds
	read -ra kinds <<<"$operands"
	local kind=${kinds[n]-}
	if [[ -z $kind && ${#kinds[@]} -gt 0 && ${kinds[-1]} == *... ]]; then
		kind=${kinds[-1]}
	fi
	[[ -n $kind ]] && _memsnap_value "$bin" "$cmd" "${kind%...}"
}

complete -F _memsnap memsnap
