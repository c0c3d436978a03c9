# shellcheck shell=sh
# shellcheck disable=SC2154 # most variables are assigned through cfg/eval

# ---------------------------------------------------------------- decisions

# desired -> WANT: the live uplinks of the lowest tier that has any; none live: fail open to BOOT
desired() {
	_best=0
	_j=1
	while [ "$_j" -le "$N" ]; do
		eval "_l=\$L_$_j _tr=\$C_UPLINK_${_j}_TIER"
		lease_ok "$_j" || _l=0
		if [ "$_l" = 1 ] && { [ "$_best" = 0 ] || [ "$_tr" -lt "$_best" ]; }; then _best=$_tr; fi
		_j=$((_j + 1))
	done
	WANT=' '
	if [ "$_best" = 0 ]; then
		# a dynamic uplink without a lease has no nexthop to give
		for _x in $BOOT; do lease_ok "$_x" && WANT="$WANT$_x "; done
		if [ "$FAILOPEN" != 1 ]; then
			if [ "$BOOT" = "$ALL" ]; then
				log "every uplink is down: failing open (keeping all of them)"
			else
				log "every uplink is down: failing open to tier $TIER1 ($(names_of "$BOOT"))"
			fi
		fi
		FAILOPEN=1
		return 0
	fi
	FAILOPEN=0
	_j=1
	while [ "$_j" -le "$N" ]; do
		eval "_l=\$L_$_j _tr=\$C_UPLINK_${_j}_TIER"
		lease_ok "$_j" || _l=0
		[ "$_l" = 1 ] && [ "$_tr" = "$_best" ] && WANT="$WANT$_j "
		_j=$((_j + 1))
	done
}

# names_of "SET" -> "line1 line3" on stdout
names_of() {
	_no=
	for _x in $1; do _no="$_no $(uname_of "$_x")"; done
	printf '%s' "${_no# }"
}

# Remove connections after the kernel change. With marks (pinned connections) only a dead
# uplink's, once, whether or not it was in the balance: a live uplink's connections keep their
# table through its mark rule (a tier-2 line that leaves because tier 1 is back still works, and a
# policy can use a line outside the balance). Without marks, those of every uplink in $1 that
# left the balance: its flows would leave by another line with its source address.
flush_conntrack() {
	[ -n "$CONNTRACK" ] || return 0
	_j=1
	while [ "$_j" -le "$N" ]; do
		cfg _mk "UPLINK_${_j}_MARK"
		case $INSTALLED in *" $_j "*) _in=1 ;; *) _in=0 ;; esac
		if [ -n "$_mk" ]; then
			eval "_l=\$L_$_j _cd=\$CTD_$_j"
			if [ "$_l" = 0 ] && [ "$_in" = 0 ] && [ "$_cd" = 0 ]; then
				_out=$("$CONNTRACK" -D -f ipv4 --mark "$_mk/$MARK_MASK" 2>&1 >/dev/null)
				eval "CTD_$_j=1"
				log "conntrack: $(uname_of "$_j") (mark $_mk): ${_out##*: }"
			fi
		else
			case $1 in
			*" $_j "*)
				cfg _ct "UPLINK_${_j}_CONNTRACK"
				if [ "$_in" = 0 ] && [ -n "$_ct" ]; then
					_out=$("$CONNTRACK" -D -f ipv4 --reply-dst "$_ct" 2>&1 >/dev/null)
					log "conntrack: $(uname_of "$_j"): ${_out##*: }"
				fi
				;;
			esac
		fi
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
	[ "$_ln" = 1 ] && eval "CTD_$_i=0"
	_prev=down _state=down
	[ "$_l" = 1 ] && _prev=up
	[ "$_ln" = 1 ] && _state=up
	log "$_nm $_state: target $_ip $3 ($_why; loss $5/$4 = $_pct% since the last change, rtt avg $_avg ms, last $_last ms); $_tu/$_nt targets up, quorum $_q"
	reconcile
	policies_update
	cfg _dv "UPLINK_${_i}_DEV"
	run_hooks "$_nm" "$_state" "$_prev" "$_dv"
	write_status running
}
