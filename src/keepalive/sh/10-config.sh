#!/bin/sh
#@MPGEN_MARKER@
# shellcheck disable=SC2153,SC2154 # most variables are assigned through cfg/eval
# mpgen keepalive: takes a dead uplink out of the balance and puts it back.
#
# POSIX sh; runs unchanged under dash, bash and busybox sh.
# Assembled from the parts in mpgen's src/keepalive/sh/: change those, not this file.
# Needs iproute2 (ip, and tc in teql mode) and iputils ping (or arping when
# METHOD=arping); uses conntrack when it is installed.
#
#   keepalive run NAME        monitor the uplinks of profile NAME (the unit runs this)
#   keepalive status [NAME]   print the status file(s) under /run/mpgen
#   keepalive check NAME      parse and validate /etc/mpgen/NAME.conf, print it, exit
#
# Design (docs/keepalive.md has the long version):
# - one long-lived probe process per target (ping -O), read line by line by one
#   monitor subshell per target: no fork per probe in steady state;
# - a target goes down after DOWN consecutive lost probes, up after UP
#   consecutive answers (far targets at their own FAR_* timing); an uplink is up
#   while at least QUORUM of its targets are;
# - the balance is the live uplinks of the lowest tier with any; one atomic
#   kernel change per transition (ip route replace / tc qdisc); fail open to the
#   first tier when every monitored uplink is down;
# - policies follow their first live uplink through the firewall helper; an
#   `ip monitor` and a periodic check put back a route someone else changed;
# - the configuration is parsed as KEY=VALUE with a whitelist of keys and a
#   strict pattern per value; it is never sourced.

set -u
set -f
LC_ALL=C
# shellcheck disable=SC2034 # a newline, for ${x%%"$NL"*} in the other parts
NL='
'
export LC_ALL

PATH=${PATH:-/usr/sbin:/usr/bin:/sbin:/bin}
PROG=mpgen-keepalive

log() { printf '%s\n' "${PROG}[${NAME:-?}]: $*"; }
# die MESSAGE [STATUS]: the message alone on stderr, then exit STATUS (1)
die() { log "error: $1" >&2; exit "${2:-1}"; }
# EX_CONFIG: the unit does not restart on a broken configuration.
die_config() { die "$1" 78; }

# ---------------------------------------------------------------- validation

is_uint() {
	case $1 in '' | *[!0-9]*) return 1 ;; esac
	[ ${#1} -le 9 ]
}
is_ipv4() {
	case $1 in '' | *[!0-9.]* | .* | *. | *..*) return 1 ;; esac
	_o=$IFS
	IFS=.
	# shellcheck disable=SC2086 # splitting on dots is the point (globbing is off)
	set -- $1
	IFS=$_o
	[ $# -eq 4 ] || return 1
	for _x; do
		case $_x in 0?*) return 1 ;; esac
		[ ${#_x} -le 3 ] && [ "$_x" -le 255 ] || return 1
	done
}
is_cidr() {
	case $1 in */*) ;; *) return 1 ;; esac
	is_ipv4 "${1%/*}" || return 1
	_p=${1#*/}
	is_uint "$_p" || return 1
	case $_p in 0?*) return 1 ;; esac
	[ "$_p" -le 32 ]
}
is_dest() { [ "$1" = default ] || is_cidr "$1"; }
# the same interface names the profile accepts (mpgen tests that the two agree)
is_ifname() {
	case $1 in '' | . | .. | all | default | -* | *[!A-Za-z0-9_.-]*) return 1 ;; esac
	[ ${#1} -le 15 ]
}
is_pname() {
	case $1 in [a-z]*) ;; *) return 1 ;; esac
	case $1 in *[!a-z0-9-]*) return 1 ;; esac
	[ ${#1} -le 31 ]
}
is_uname() {
	case $1 in [a-z]*) ;; *) return 1 ;; esac
	case $1 in *[!a-z0-9_-]*) return 1 ;; esac
	[ ${#1} -le 15 ]
}
# is_list CHECK "a b c": every word passes CHECK (an empty list passes)
is_list() {
	_chk=$1
	case $2 in *'  '* | ' '* | *' ') return 1 ;; esac
	# shellcheck disable=SC2086 # word splitting on spaces, globbing is off
	set -- $2
	for _w; do "$_chk" "$_w" || return 1; done
}
is_ipv4_or_empty() { [ -z "$1" ] || is_ipv4 "$1"; }
# a mark or mask: 0x and 1 to 8 lower-case hex digits
is_hex() {
	case $1 in 0x?*) ;; *) return 1 ;; esac
	case ${1#0x} in *[!0-9a-f]*) return 1 ;; esac
	[ ${#1} -le 10 ]
}
is_hex_or_empty() { [ -z "$1" ] || is_hex "$1"; }
# an absolute path of plain characters, without "..": run as a program or written into
is_path() {
	case $1 in /?*) ;; *) return 1 ;; esac
	case $1 in *[!A-Za-z0-9_./-]* | *..*) return 1 ;; esac
	[ ${#1} -le 200 ]
}
is_path_or_empty() { [ -z "$1" ] || is_path "$1"; }
is_uplinks() { [ -n "$1" ] && is_list is_uint "$1"; }

# cfg VAR KEY: VAR=$C_KEY (KEY is built from validated parts only)
cfg() { eval "$1=\${C_$2-}"; }

load_config() {
	_f=$1
	[ -r "$_f" ] || die_config "cannot read $_f"
	_n=0
	while IFS= read -r _line || [ -n "$_line" ]; do
		_n=$((_n + 1))
		case $_line in '' | '#'*) continue ;; esac
		case $_line in
		[A-Z]*=*) ;;
		*) die_config "$_f:$_n: not a KEY=VALUE line" ;;
		esac
		_k=${_line%%=*}
		_v=${_line#*=}
		case $_k in
		VERSION) [ "$_v" = 1 ] ;;
		NAME) is_pname "$_v" ;;
		MODE) case $_v in teql | multipath | equalize) ;; *) false ;; esac ;;
		METHOD) case $_v in ping | arping) ;; *) false ;; esac ;;
		INTERVAL_MS | TIMEOUT_MS | DOWN | UP | TABLE | UPLINKS | FAR_INTERVAL_MS | FAR_DOWN | FAR_UP | POLICIES) is_uint "$_v" ;;
		MARK_MASK) is_hex "$_v" ;;
		FIREWALL) is_path_or_empty "$_v" ;;
		METRICS_DIR) is_list is_path "$_v" ;;
		ROUTES) is_list is_dest "$_v" ;;
		BOND) is_ifname "$_v" && case $_v in teql[0-9]*) ;; *) false ;; esac ;;
		BOND_NET) is_cidr "$_v" ;;
		UPLINK_[1-9]_* | UPLINK_[1-9][0-9]_*)
			_r=${_k#UPLINK_}
			_i=${_r%%_*}
			is_uint "$_i" &&
				case ${_r#*_} in
				NAME) is_uname "$_v" ;;
				DEV) is_ifname "$_v" ;;
				SRC) is_ipv4_or_empty "$_v" ;;
				NET) [ -z "$_v" ] || is_cidr "$_v" ;;
				DYN) case $_v in '' | dhcp | pppoe) ;; *) false ;; esac ;;
				PRIO) is_uint "$_v" ;;
				PROBEGW) case $_v in 0 | 1) ;; *) false ;; esac ;;
				GW | CONNTRACK) is_ipv4_or_empty "$_v" ;;
				ONLINK) case $_v in 0 | 1) ;; *) false ;; esac ;;
				WEIGHT | TABLE | QUORUM | TIER) is_uint "$_v" ;;
				PROBE | FAR) is_list is_ipv4 "$_v" ;;
				MARK) is_hex_or_empty "$_v" ;;
				*) false ;;
				esac
			;;
		POLICY_[1-9]_* | POLICY_[1-9][0-9]_*)
			_r=${_k#POLICY_}
			is_uint "${_r%%_*}" &&
				case ${_r#*_} in
				NAME) is_uname "$_v" ;;
				UPLINKS) is_uplinks "$_v" ;;
				FALLBACK) case $_v in balance | none) ;; *) false ;; esac ;;
				*) false ;;
				esac
			;;
		*) die_config "$_f:$_n: unknown key $_k" ;;
		esac || die_config "$_f:$_n: invalid value for $_k"
		eval "C_$_k=\$_v"
	done <"$_f"

	for _k in VERSION NAME MODE METHOD INTERVAL_MS TIMEOUT_MS DOWN UP UPLINKS; do
		eval "_v=\${C_$_k-}"
		[ -n "$_v" ] || die_config "$_f: $_k is missing"
	done
	cfg MODE MODE
	cfg METHOD METHOD
	cfg INTERVAL_MS INTERVAL_MS
	cfg TIMEOUT_MS TIMEOUT_MS
	cfg DOWN DOWN
	cfg UP UP
	cfg N UPLINKS
	cfg TABLE TABLE
	cfg ROUTES ROUTES
	cfg BOND BOND
	cfg BOND_NET BOND_NET
	cfg FIREWALL FIREWALL
	cfg METRICS_DIR METRICS_DIR
	# absent in a configuration of an older mpgen: the far targets' timing of the render
	FAR_INTERVAL_MS=${C_FAR_INTERVAL_MS:-$((INTERVAL_MS * 2))}
	FAR_DOWN=${C_FAR_DOWN:-$(((DOWN + 1) / 2))}
	FAR_UP=${C_FAR_UP:-$(((UP + 1) / 2))}
	# shellcheck disable=SC2034 # read in the decisions part
	MARK_MASK=${C_MARK_MASK:-0x3f00}
	NPOL=${C_POLICIES:-0}
	[ "$INTERVAL_MS" -ge 10 ] || die_config "$_f: INTERVAL_MS must be at least 10"
	[ "$TIMEOUT_MS" -ge 1 ] || die_config "$_f: TIMEOUT_MS must be at least 1"
	if [ "$DOWN" -lt 1 ] || [ "$UP" -lt 1 ]; then die_config "$_f: DOWN and UP must be at least 1"; fi
	if [ "$N" -lt 1 ] || [ "$N" -gt 99 ]; then die_config "$_f: UPLINKS must be 1..99"; fi
	[ "$FAR_INTERVAL_MS" -ge 10 ] || die_config "$_f: FAR_INTERVAL_MS must be at least 10"
	if [ "$FAR_DOWN" -lt 1 ] || [ "$FAR_UP" -lt 1 ]; then die_config "$_f: FAR_DOWN and FAR_UP must be at least 1"; fi
	[ "$NPOL" -le 99 ] || die_config "$_f: POLICIES must be 0..99"
	if [ "$MODE" = teql ]; then
		[ -n "$BOND" ] || die_config "$_f: BOND is missing (mode teql)"
	else
		if [ -z "$TABLE" ] || [ -z "$ROUTES" ]; then die_config "$_f: TABLE and ROUTES are required (mode $MODE)"; fi
	fi
	_i=1
	while [ "$_i" -le "$N" ]; do
		for _k in NAME DEV WEIGHT QUORUM; do
			eval "_v=\${C_UPLINK_${_i}_$_k-}"
			[ -n "$_v" ] || die_config "$_f: UPLINK_${_i}_$_k is missing"
		done
		# a static uplink's address is in the configuration; a dynamic one's is read at run time
		eval "_v=\${C_UPLINK_${_i}_SRC-} _dy=\${C_UPLINK_${_i}_DYN-} _pr=\${C_UPLINK_${_i}_PRIO-} _tb=\${C_UPLINK_${_i}_TABLE-}"
		if [ -z "$_dy" ]; then
			[ -n "$_v" ] || die_config "$_f: UPLINK_${_i}_SRC is missing"
		elif [ -n "$_v" ] || [ -z "$_pr" ] || [ -z "$_tb" ]; then
			die_config "$_f: UPLINK_${_i}_DYN needs UPLINK_${_i}_PRIO and UPLINK_${_i}_TABLE, and no SRC"
		fi
		eval "_v=\${C_UPLINK_${_i}_TIER:-1}"
		[ "$_v" -ge 1 ] || die_config "$_f: UPLINK_${_i}_TIER must be at least 1"
		eval "C_UPLINK_${_i}_TIER=\$_v"
		_i=$((_i + 1))
	done
	_i=1
	while [ "$_i" -le "$NPOL" ]; do
		for _k in NAME UPLINKS FALLBACK; do
			eval "_v=\${C_POLICY_${_i}_$_k-}"
			[ -n "$_v" ] || die_config "$_f: POLICY_${_i}_$_k is missing"
		done
		eval "_v=\$C_POLICY_${_i}_UPLINKS"
		for _u in $_v; do
			if [ "$_u" -lt 1 ] || [ "$_u" -gt "$N" ]; then die_config "$_f: POLICY_${_i}_UPLINKS: no uplink $_u"; fi
		done
		_i=$((_i + 1))
	done
}
