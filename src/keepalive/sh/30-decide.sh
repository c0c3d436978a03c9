# shellcheck shell=sh
# shellcheck disable=SC2154 # most variables are assigned through cfg/eval

# ---------------------------------------------------------------- decisions

desired() {
	WANT=' '
	_j=1
	while [ "$_j" -le "$N" ]; do
		eval "_l=\$L_$_j"
		[ "$_l" = 1 ] && WANT="$WANT$_j "
		_j=$((_j + 1))
	done
	ALL=' '
	_j=1
	while [ "$_j" -le "$N" ]; do
		ALL="$ALL$_j "
		_j=$((_j + 1))
	done
	if [ "$WANT" = ' ' ]; then
		WANT=$ALL
		[ "$FAILOPEN" = 1 ] || log "every uplink is down: failing open (keeping all of them)"
		FAILOPEN=1
	else
		FAILOPEN=0
	fi
}

# remove the conntrack entries of the uplinks in $1 that left the balance
flush_conntrack() {
	[ -n "$CONNTRACK" ] || return 0
	_j=1
	while [ "$_j" -le "$N" ]; do
		case $1 in
		*" $_j "*)
			case $INSTALLED in
			*" $_j "*) ;;
			*)
				cfg _ct "UPLINK_${_j}_CONNTRACK"
				if [ -n "$_ct" ]; then
					_out=$("$CONNTRACK" -D -f ipv4 --reply-dst "$_ct" 2>&1 >/dev/null)
					log "conntrack: $(uname_of "$_j"): ${_out##*: }"
				fi
				;;
			esac
			;;
		esac
		_j=$((_j + 1))
	done
}

uname_of() { eval "printf '%s' \"\$C_UPLINK_$1_NAME\""; }

# reconcile: make the kernel match the wanted set; conntrack for lines that left
reconcile() {
	_before=$INSTALLED
	desired
	if [ "$MODE" = teql ]; then
		[ "$INSTALLED" = "$WANT" ] || apply_set "$WANT"
	else
		apply_set "$WANT"
	fi
	[ "$_before" = MISSING ] || flush_conntrack "$_before"
}

run_hooks() {
	[ -d "$ETC/hooks.d" ] || return 0
	(
		set +f
		for _h in "$ETC"/hooks.d/*; do
			case ${_h##*/} in '' | *[!A-Za-z0-9_-]*) continue ;; esac
			if [ ! -f "$_h" ] || [ ! -x "$_h" ]; then continue; fi
			UPLINK=$1 STATE=$2 PREV=$3 DEVICE=$4 PROFILE=$NAME FAILOPEN=$FAILOPEN "$_h" </dev/null 3>&- 7>&- 8>&- ||
				log "hook ${_h##*/} exited with $?"
		done
	) &
}

# on_target I J up|down SENT LOST RUN AVG LAST
on_target() {
	_i=$1 _t=$2
	eval "_old=\$T_${_i}_$_t _tu=\$TU_$_i _nt=\$NT_$_i _l=\$L_$_i _ip=\$TIP_${_i}_$_t"
	cfg _q "UPLINK_${_i}_QUORUM"
	case $3 in up) _new=1 ;; *) _new=0 ;; esac
	[ "$_old" = "$_new" ] && return 0
	if [ "$_new" = 1 ]; then _tu=$((_tu + 1)); else _tu=$((_tu - 1)); fi
	eval "T_${_i}_$_t=\$_new TU_$_i=\$_tu"
	_nm=$(uname_of "$_i")
	fmt_ms "${7:-0}"
	_avg=$M
	fmt_ms "${8:-0}"
	_last=$M
	_pct=0
	[ "${4:-0}" -gt 0 ] && _pct=$(((${5:-0} * 1000 / $4 + 5) / 10))
	if [ "$_new" = 1 ]; then
		_why="$6 answers in a row"
	else
		_why="$6 probes lost in a row"
	fi
	_ln=0
	[ "$_tu" -ge "$_q" ] && _ln=1
	if [ "$_ln" = "$_l" ]; then
		log "target $_ip of $_nm $3 ($_why; loss $5/$4 = $_pct% since the last change, rtt avg $_avg ms); $_nm stays $([ "$_l" = 1 ] && echo up || echo down) with $_tu/$_nt targets up"
		return 0
	fi
	eval "L_$_i=\$_ln SINCE_$_i=\$(now) TR_$_i=\$((TR_$_i + 1))"
	_prev=down _state=down
	[ "$_l" = 1 ] && _prev=up
	[ "$_ln" = 1 ] && _state=up
	log "$_nm $_state: target $_ip $3 ($_why; loss $5/$4 = $_pct% since the last change, rtt avg $_avg ms, last $_last ms); $_tu/$_nt targets up, quorum $_q"
	reconcile
	cfg _dv "UPLINK_${_i}_DEV"
	run_hooks "$_nm" "$_state" "$_prev" "$_dv"
	write_status running
}
