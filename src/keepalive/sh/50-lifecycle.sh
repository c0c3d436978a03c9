# shellcheck shell=sh
# shellcheck disable=SC2034,SC2153,SC2154 # most variables are assigned through cfg/eval; ISEC, K and TIMEOUT_US are read in the probing part

# ---------------------------------------------------------------- lifecycle

ETC=${MPGEN_ETC:-/etc/mpgen}
RUN=${MPGEN_RUN:-/run/mpgen}

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# find_tool VAR NAME: the first executable NAME in $PATH, by absolute path.
# busybox sh runs its own applets (ip, ping) for bare names; their options differ.
find_tool() {
	_o=$IFS
	IFS=:
	for _d in $PATH; do
		IFS=$_o
		if [ -n "$_d" ] && [ -f "$_d/$2" ] && [ -x "$_d/$2" ]; then
			eval "$1=\$_d/\$2"
			return 0
		fi
	done
	IFS=$_o
	eval "$1="
	return 1
}

find_tools() {
	find_tool IP ip || die "ip (iproute2) not found in PATH"
	if [ "$MODE" = teql ]; then
		find_tool TC tc || die "tc (iproute2) not found in PATH"
	fi
	if [ "$METHOD" = arping ]; then
		find_tool ARPING arping || die "arping not found in PATH"
	else
		find_tool PING ping || die "ping (iputils) not found in PATH"
	fi
	find_tool CONNTRACK conntrack || :
}

# The status file is replaced by rename, never rewritten in place: `mpgen check` and
# `keepalive status` read it at any moment and must see a whole file, old or new.
write_status() {
	{
		printf 'name=%s\n' "$NAME"
		printf 'mode=%s\n' "$MODE"
		printf 'pid=%s\n' "$MAINPID"
		printf 'state=%s\n' "$1"
		printf 'started=%s\n' "$STARTED"
		printf 'failopen=%s\n' "$FAILOPEN"
		printf 'route_changes=%s\n' "$CHANGES"
		_act=${INSTALLED# }
		printf 'active=%s\n' "${_act% }"
		_j=1
		while [ "$_j" -le "$N" ]; do
			eval "_nm=\$C_UPLINK_${_j}_NAME _dv=\$C_UPLINK_${_j}_DEV _l=\$L_$_j _tu=\$TU_$_j _nt=\$NT_$_j _q=\$C_UPLINK_${_j}_QUORUM _since=\$SINCE_$_j _tr=\$TR_$_j"
			case $INSTALLED in *" $_j "*) _a=yes ;; *) _a=no ;; esac
			_s=down
			[ "$_l" = 1 ] && _s=up
			_mo=yes
			[ "$_nt" = 0 ] && _mo=no
			eval "_tier=\$C_UPLINK_${_j}_TIER _dy=\${C_UPLINK_${_j}_DYN-} _la=\${C_UPLINK_${_j}_SRC-} _lg=\${C_UPLINK_${_j}_GW-} _ln=\${C_UPLINK_${_j}_NET-}"
			# a dynamic uplink: the lease it follows now ("-": none; a PPP link's gateway is its peer)
			_lz=
			[ "$_dy" = pppoe ] && [ -z "$_lg" ] && [ -n "$_la" ] && _lg=${_ln%/*}
			[ -n "$_dy" ] && _lz=" lease=${_la:--} gateway=${_lg:--}"
			printf 'uplink %s %s dev=%s active=%s targets_up=%s/%s quorum=%s monitored=%s transitions=%s since=%s tier=%s%s\n' \
				"$_nm" "$_s" "$_dv" "$_a" "$_tu" "$_nt" "$_q" "$_mo" "$_tr" "$_since" "$_tier" "$_lz"
			_t=1
			while [ "$_t" -le "$_nt" ]; do
				eval "_ip=\$TIP_${_j}_$_t _ts=\$T_${_j}_$_t _ps=\$PS_${_j}_$_t"
				[ "$_ip" = gw ] && _ip=${_lg:--}
				_ts2=down
				[ "$_ts" = 1 ] && _ts2=up
				printf 'target %s %s %s %s\n' "$_nm" "$_ip" "$_ts2" "$_ps"
				_t=$((_t + 1))
			done
			_j=$((_j + 1))
		done
		_k=1
		while [ "$_k" -le "$NPOL" ]; do
			eval "_pn=\$C_POLICY_${_k}_NAME _pt=\$POL_$_k"
			printf 'policy %s %s\n' "$_pn" "$(target_label "$_pt")"
			_k=$((_k + 1))
		done
	} >"$STATUS.new" && mv -f "$STATUS.new" "$STATUS"
	write_metrics
}

on_stop() {
	trap '' TERM INT HUP
	exec 1>&7 2>&8
	for _p in $KIDS; do kill "$_p" 2>/dev/null; done
	set +f
	for _pf in "$RUN/$NAME.$MAINPID".*.pid; do
		[ -f "$_pf" ] || continue
		read -r _p <"$_pf" && is_uint "$_p" && kill "$_p" 2>/dev/null
	done
	set -f
	for _p in $KIDS; do wait "$_p" 2>/dev/null; done
	# restore the balance at boot: every uplink of the first tier
	read_kernel
	if [ "$INSTALLED" != "$BOOT" ]; then
		if [ "$BOOT" = "$ALL" ]; then
			apply_set "$BOOT" && log "restored every uplink"
		else
			apply_set "$BOOT" && log "restored the tier-$TIER1 uplinks ($(names_of "$BOOT"))"
		fi
	fi
	write_status stopped
	rm -f "$EVENTS" "$PIDFILE"
	log "stopped"
	exit 0
}

run() {
	NAME=$1
	is_pname "$NAME" || die_config "invalid profile name"
	load_config "$ETC/$NAME.conf"
	cfg _cn NAME
	[ "$_cn" = "$NAME" ] || die_config "$ETC/$NAME.conf: NAME=$_cn does not match $NAME"
	MAINPID=$$
	find_tools
	ms_to_s "$INTERVAL_MS"
	ISEC=$S
	TIMEOUT_US=$((TIMEOUT_MS * 1000))
	# a probe is lost when no answer came within K intervals (K*INTERVAL >= TIMEOUT)
	K=$(((TIMEOUT_MS + INTERVAL_MS - 1) / INTERVAL_MS))
	# statistics about every 5 s
	STATS_EVERY=$((5000 / INTERVAL_MS))
	[ "$STATS_EVERY" -ge 1 ] || STATS_EVERY=1
	# the far targets' timing
	ms_to_s "$FAR_INTERVAL_MS"
	FISEC=$S
	# a far probe is lost when not answered within its interval (or the timeout, when shorter)
	_ft=$TIMEOUT_MS
	[ "$_ft" -gt "$FAR_INTERVAL_MS" ] && _ft=$FAR_INTERVAL_MS
	FTIMEOUT_US=$((_ft * 1000))
	FK=$(((_ft + FAR_INTERVAL_MS - 1) / FAR_INTERVAL_MS))
	FSTATS=$((5000 / FAR_INTERVAL_MS))
	[ "$FSTATS" -ge 1 ] || FSTATS=1
	CHECK_S=5
	WATCH_RESTARTS=10
	if [ "$METHOD" = arping ]; then
		case $("$ARPING" --help 2>&1) in
		*Habets*) ;;
		*) die_config "METHOD=arping needs Thomas Habets' arping (Debian package arping)" ;;
		esac
	fi

	mkdir -p "$RUN" || die "cannot create $RUN"
	PIDFILE=$RUN/$NAME.pid
	STATUS=$RUN/$NAME.status
	EVENTS=$RUN/$NAME.events
	if [ -f "$PIDFILE" ] && read -r _op <"$PIDFILE" && is_uint "$_op" && [ "$_op" != "$$" ] && kill -0 "$_op" 2>/dev/null; then
		die "already running as pid $_op"
	fi
	printf '%s\n' "$$" >"$PIDFILE"
	set +f
	rm -f "$RUN/$NAME".[0-9]*
	set -f
	STARTED=$(now)
	CHANGES=0
	PENDING=0
	FAILOPEN=0
	POLPEND=0
	KIDS=
	# ALL: every uplink; BOOT: those of the lowest tier, the balance at boot and when failing open
	ALL=' ' BOOT=' ' TIER1=0 DYNDEVS=
	WATCH=" $TABLE "
	_j=1
	while [ "$_j" -le "$N" ]; do
		eval "_tr=\$C_UPLINK_${_j}_TIER _tb=\${C_UPLINK_${_j}_TABLE-} _dy=\${C_UPLINK_${_j}_DYN-}"
		[ -n "$_dy" ] && eval "DYNDEVS=\"\$DYNDEVS \$C_UPLINK_${_j}_DEV\" LEASE_$_j=0"
		ALL="$ALL$_j "
		if [ "$TIER1" = 0 ] || [ "$_tr" -lt "$TIER1" ]; then TIER1=$_tr; fi
		[ -n "$_tb" ] && WATCH="$WATCH$_tb "
		_j=$((_j + 1))
	done
	_j=1
	while [ "$_j" -le "$N" ]; do
		eval "_tr=\$C_UPLINK_${_j}_TIER"
		[ "$_tr" = "$TIER1" ] && BOOT="$BOOT$_j "
		_j=$((_j + 1))
	done
	_k=1
	while [ "$_k" -le "$NPOL" ]; do
		eval "POL_$_k= POLOK_$_k=0"
		_k=$((_k + 1))
	done

	# where the kernel stands: an uplink in the route (attached) starts up, others down
	read_kernel
	START_SET=$INSTALLED
	if [ "$START_SET" = MISSING ] || [ "$START_SET" = ' ' ]; then
		log "no balanced route for ${ROUTES%% *} in table $TABLE: every uplink starts up"
		START_SET=$ALL
	fi
	# A line of a later tier is out of the boot route for its tier, not for being dead: it starts
	# up (a policy that prefers it keeps it), unless the last run saw it down (the status file
	# survives a restart of the unit, not a reboot).
	PREVDOWN=' '
	if [ -f "$STATUS" ]; then
		while IFS=' ' read -r _w1 _w2 _w3 _rest; do
			[ "$_w1" = uplink ] && [ "$_w3" = down ] && PREVDOWN="$PREVDOWN$_w2 "
		done <"$STATUS"
	fi
	_j=1
	while [ "$_j" -le "$N" ]; do
		case $START_SET in *" $_j "*) _s=1 ;; *) _s=0 ;; esac
		eval "_tr=\$C_UPLINK_${_j}_TIER _nm=\$C_UPLINK_${_j}_NAME"
		# a dynamic uplink is never in the rendered route: it starts up, once it has a lease
		cfg _dy "UPLINK_${_j}_DYN"
		if [ "$_s" = 0 ] && { [ "$_tr" -gt "$TIER1" ] || [ -n "$_dy" ]; }; then
			case $PREVDOWN in *" $_nm "*) ;; *) _s=1 ;; esac
		fi
		cfg _pr "UPLINK_${_j}_PROBE"
		# "gw": the current gateway (the lease's router, the PPP peer), resolved by the probe
		cfg _pg "UPLINK_${_j}_PROBEGW"
		[ "$_pg" = 1 ] && _pr="gw $_pr"
		cfg _fr "UPLINK_${_j}_FAR"
		# targets 1..: the probe targets, then the far ones (TF=1)
		_t=0
		_np=0
		for _ip in $_pr; do _np=$((_np + 1)); done
		for _ip in $_pr $_fr; do
			_t=$((_t + 1))
			_tf=0
			[ "$_t" -gt "$_np" ] && _tf=1
			eval "TIP_${_j}_$_t=\$_ip T_${_j}_$_t=\$_s PS_${_j}_$_t= TF_${_j}_$_t=\$_tf"
		done
		[ "$_t" = 0 ] && _s=1
		_tu=0
		[ "$_s" = 1 ] && _tu=$_t
		# CTD: its connections are already gone (a line that starts down was flushed before)
		_cd=1
		[ "$_s" = 1 ] && _cd=0
		eval "NT_$_j=\$_t TU_$_j=\$_tu L_$_j=\$_s SINCE_$_j=\$STARTED TR_$_j=0 CTD_$_j=\$_cd"
		_j=$((_j + 1))
	done
	set +f
	rm -f "$RUN/$NAME".lease.*
	set -f
	follow || :
	_j=1
	while [ "$_j" -le "$N" ]; do
		cfg _dy "UPLINK_${_j}_DYN"
		[ -n "$_dy" ] && lease_stale "$_j"
		_j=$((_j + 1))
	done
	desired
	if [ "$MODE" = teql ]; then
		log "start: mode teql on $BOND, attached: $INSTALLED"
	else
		log "start: mode $MODE table $TABLE, in the route: $INSTALLED"
	fi
	reconcile
	policies_update

	rm -f "$EVENTS"
	mkfifo -m 600 "$EVENTS" || die "cannot create $EVENTS"
	exec 3<>"$EVENTS"
	# The journal's streams, for on_stop: a signal can arrive while a command's output is
	# redirected (write_status writes the status file that way), and the trap then runs with
	# that redirection in place.
	exec 7>&1 8>&2
	trap on_stop TERM INT HUP

	_j=1
	while [ "$_j" -le "$N" ]; do
		eval "_nt=\$NT_$_j"
		cfg _dv "UPLINK_${_j}_DEV"
		cfg SRCADDR "UPLINK_${_j}_SRC"
		cfg _net "UPLINK_${_j}_NET"
		# with marks, a probe carries its uplink's mark (SO_MARK): its mark rule routes it, and no
		# policy that matches the probe can move it to another line
		cfg PMARK "UPLINK_${_j}_MARK"
		_t=1
		while [ "$_t" -le "$_nt" ]; do
			eval "_ip=\$TIP_${_j}_$_t _s=\$T_${_j}_$_t _tf=\$TF_${_j}_$_t"
			# on-link targets: bind to the device; others: bind to the
			# uplink's source address, so its policy table routes the probe
			if [ "$_ip" = gw ] || [ -z "$_net" ]; then
				_b=$_dv # a dynamic uplink's probe binds as its lease says
			elif in_net "$_ip" "$_net" || in_net "$_ip" "$BOND_NET"; then
				_b=$_dv
			else
				_b=$SRCADDR
			fi
			[ "$METHOD" = arping ] && _b=$_dv
			monitor "$_j" "$_t" "$_ip" "$_b" "$_s" "$_tf" &
			KIDS="$KIDS $!"
			_t=$((_t + 1))
		done
		_j=$((_j + 1))
	done
	if [ "$MODE" != teql ]; then
		route_watch &
		KIDS="$KIDS $!"
	fi
	ticker &
	KIDS="$KIDS $!"
	write_status running

	while :; do
		IFS=' ' read -r _ev _i _t _a1 _a2 _a3 _a4 _a5 _a6 <&3 || continue
		if ! is_uint "${_i:-x}" || ! is_uint "${_t:-x}" || [ "$_i" -gt "$N" ]; then continue; fi
		case $_ev in
		T) on_target "$_i" "$_t" "$_a1" "$_a2" "$_a3" "$_a4" "$_a5" "$_a6" ;;
		P)
			fmt_ms "${_a4:-0}"
			_pct=$(((${_a3:-0} * 1000 / ${_a2:-1} + 5) / 10))
			eval "PS_${_i}_$_t=\"loss=\$_pct% rtt_ms=\$M\" PSN_${_i}_$_t=\${_a2:-0} PLS_${_i}_$_t=\${_a3:-0} PRT_${_i}_$_t=\${_a4:-0}"
			# a kernel change or a policy move failed earlier: try again
			[ "$PENDING" = 1 ] && reconcile
			[ "$POLPEND" = 1 ] && policies_update
			write_status running
			;;
		X) log "probe $(uname_of "$_i") target $_t exited with $_a1; restarting it" ;;
		D) drift_check monitor ;;
		C) drift_check check ;;
		esac
	done
}

status() {
	if [ -n "${1-}" ]; then
		is_pname "$1" || die "invalid profile name"
		set -- "$RUN/$1.status"
	else
		set +f
		set -- "$RUN"/*.status
		set -f
	fi
	_rc=0
	_any=0
	for _f; do
		[ -f "$_f" ] || continue
		_any=1
		_p=
		while IFS= read -r _line; do
			case $_line in pid=*) _p=${_line#pid=} ;; esac
			printf '%s\n' "$_line"
		done <"$_f"
		if is_uint "$_p" && kill -0 "$_p" 2>/dev/null; then
			printf 'running=yes\n'
		else
			printf 'running=no\n'
			_rc=3
		fi
	done
	if [ "$_any" = 0 ]; then
		printf 'no keepalive status under %s\n' "$RUN" >&2
		return 3
	fi
	return $_rc
}

case ${1-} in
run)
	[ $# -eq 2 ] || die "usage: keepalive run NAME"
	run "$2"
	;;
status)
	status "${2-}"
	exit $?
	;;
metrics-link | metrics-unlink)
	[ $# -eq 2 ] || die "usage: keepalive $1 NAME"
	NAME=$2
	is_pname "$NAME" || die_config "invalid profile name"
	load_config "$ETC/$NAME.conf"
	metrics_link "${1#metrics-}"
	;;
check)
	[ $# -eq 2 ] || die "usage: keepalive check NAME"
	NAME=$2
	is_pname "$NAME" || die_config "invalid profile name"
	load_config "$ETC/$NAME.conf"
	printf 'ok %s: mode %s, %s uplinks, interval %s ms, timeout %s ms, down %s, up %s\n' \
		"$NAME" "$MODE" "$N" "$INTERVAL_MS" "$TIMEOUT_MS" "$DOWN" "$UP"
	;;
*)
	printf 'usage: keepalive run NAME | status [NAME] | check NAME | metrics-link NAME | metrics-unlink NAME\n' >&2
	exit 2
	;;
esac
