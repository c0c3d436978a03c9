# shellcheck shell=sh
# shellcheck disable=SC2034,SC2153,SC2154 # most variables are assigned through cfg/eval

# ---------------------------------------------------------------- policies
# A policy's target: the first live uplink it lists, else its fallback (reject or balance).
# The firewall helper swaps the policy's chain; /run/mpgen/NAME.policies keeps the targets
# for the helper's `start` (a reloaded firewall gets the current ones back).

# policy_target K -> PT (uplink number | reject | balance)
policy_target() {
	eval "_ul=\$C_POLICY_$1_UPLINKS _fb=\$C_POLICY_$1_FALLBACK"
	for _u in $_ul; do
		eval "_l=\$L_$_u"
		if [ "$_l" = 1 ]; then
			PT=$_u
			return 0
		fi
	done
	case $_fb in none) PT=reject ;; *) PT=balance ;; esac
}

# target_label TARGET: the uplink's name, or the word itself
target_label() {
	case $1 in
	'') printf '(start)' ;;
	reject | balance) printf '%s' "$1" ;;
	*) uname_of "$1" ;;
	esac
}

write_policies() {
	_pf=$RUN/$NAME.policies
	{
		_k=1
		while [ "$_k" -le "$NPOL" ]; do
			eval "printf '%s %s\n' \"\$_k\" \"\$POL_$_k\""
			_k=$((_k + 1))
		done
	} >"$_pf.new" && mv -f "$_pf.new" "$_pf"
}

# policies_update: move every policy whose target changed; retry the helper calls that failed
policies_update() {
	[ "$NPOL" -gt 0 ] || return 0
	_chg=0
	_k=1
	while [ "$_k" -le "$NPOL" ]; do
		policy_target "$_k"
		eval "_old=\$POL_$_k _pn=\$C_POLICY_${_k}_NAME"
		if [ "$PT" != "$_old" ]; then
			eval "POL_$_k=\$PT POLOK_$_k=0"
			log "policy $_pn: $(target_label "$_old") -> $(target_label "$PT")"
			_chg=1
		fi
		_k=$((_k + 1))
	done
	[ "$_chg" = 0 ] || write_policies || log "error: cannot write $RUN/$NAME.policies"
	POLPEND=0
	[ -n "$FIREWALL" ] || return 0
	_k=1
	while [ "$_k" -le "$NPOL" ]; do
		eval "_ok=\$POLOK_$_k _t=\$POL_$_k _pn=\$C_POLICY_${_k}_NAME"
		if [ "$_ok" != 1 ]; then
			"$FIREWALL" policy "$NAME" "$_k" "$_t" </dev/null 3>&- 7>&- 8>&-
			_rc=$?
			if [ "$_rc" = 0 ]; then
				eval "POLOK_$_k=1"
			else
				# logged once per change; retried with the next statistics
				[ "$_ok" = 0 ] && log "error: $FIREWALL policy $NAME $_k $_t exited with $_rc; will retry"
				eval "POLOK_$_k=2"
				POLPEND=1
			fi
		fi
		_k=$((_k + 1))
	done
}

# ---------------------------------------------------------------- drift
# The network stacks can undo our change: restarting systemd-networkd re-adds the multipath
# route with every nexthop, NetworkManager tidies its tables. `ip monitor` reports a change at
# once; a tick every CHECK_S seconds catches what it misses (teql qdiscs, a dead monitor).

# watched LINE: a route or rule event of the multipath table, an uplink table or a mark rule, or
# an address event of a dynamic uplink's device
watched() {
	case $1 in *fwmark*) return 0 ;; esac
	case $1 in *' inet '*)
		for _w in $DYNDEVS; do
			case $1 in *": $_w "* | *": $_w:"*) return 0 ;; esac
		done
		return 1
		;;
	esac
	case $1 in
	*' table '*) _w=${1#* table } ;;
	*' lookup '*) _w=${1#* lookup } ;;
	*) return 1 ;;
	esac
	_w=${_w%% *}
	case $WATCH in *" $_w "*) return 0 ;; esac
	# an ip(8) without -N prints the names of rt_tables.d: mpgen-NAME-UPLINK, mpgen-NAME-mp
	case $_w in "mpgen-$NAME"[.-]*) return 0 ;; esac
	return 1
}

# route_watch: one `ip monitor route rule`, restarted at most WATCH_RESTARTS times
route_watch() {
	pp=
	fifo=$RUN/$NAME.$MAINPID.watch
	trap 'stop_probe; exit 0' TERM INT HUP
	# -N: table numbers, not names (iproute2 4.19 and later)
	_nf=
	"$IP" -N -o route show table "$TABLE" >/dev/null 2>&1 && _nf=-N
	_n=0
	while [ "$_n" -le "$WATCH_RESTARTS" ]; do
		rm -f "$fifo"
		mkfifo -m 600 "$fifo" || break
		# shellcheck disable=SC2086 # the optional word
		"$IP" $_nf -o monitor route rule ${DYNDEVS:+address} >"$fifo" 2>/dev/null 3>&- 7>&- 8>&- &
		pp=$!
		printf '%s\n' "$pp" >"$fifo.pid"
		while IFS= read -r _line; do
			watched "$_line" && emit "D 0 0"
		done <"$fifo"
		wait "$pp"
		pp=
		kill -0 "$MAINPID" 2>/dev/null || exit 0
		_n=$((_n + 1))
		sleep 1
	done
	rm -f "$fifo" "$fifo.pid"
	log "ip monitor exited $_n times: drift is checked every $CHECK_S s only"
}

# ticker: a drift check every CHECK_S seconds; when the daemon is gone (kill -9), it stops the
# route monitor, which waits for events only and would hold the daemon's journal stream
ticker() {
	trap 'exit 0' TERM INT HUP
	_n=0
	while kill -0 "$MAINPID" 2>/dev/null; do
		sleep 1
		_n=$((_n + 1))
		[ $((_n % CHECK_S)) = 0 ] && emit "C 0 0"
	done
	_wp=$RUN/$NAME.$MAINPID.watch.pid
	[ -f "$_wp" ] && read -r _p <"$_wp" && is_uint "$_p" && kill "$_p" 2>/dev/null
	exit 0
}

# reflush_dead: while the route was wrong, a connection whose entry the kernel had just dropped
# (a daemon re-adding an address flushes what was masqueraded to it) was picked up again by its
# next packet and pinned to a dead line; remove dead lines' connections once more, so that the
# next packet takes the repaired route
reflush_dead() {
	_j=1
	while [ "$_j" -le "$N" ]; do
		eval "_l=\$L_$_j"
		[ "$_l" = 0 ] && eval "CTD_$_j=0"
		_j=$((_j + 1))
	done
	flush_conntrack ""
}

# drift_check WHY: re-read the kernel; put the wanted set back where it differs
drift_check() {
	follow || :
	read_kernel
	_drift=
	if [ "$MODE" = teql ]; then
		[ "$INSTALLED" = "$WANT" ] || _drift="slaves of $BOND: $(names_of "$INSTALLED")"
	else
		_k=0
		for _d in $ROUTES; do
			_k=$((_k + 1))
			eval "_is=\$IS_$_k _hv=\$HAVE_$_k"
			if [ "$_hv" = 0 ]; then
				_drift="$_drift${_drift:+, }$_d table $TABLE missing"
			elif [ "$_is" = ' dup ' ]; then
				_drift="$_drift${_drift:+, }$_d table $TABLE: more than one route"
			elif [ "$_is" != "$WANT" ]; then
				_drift="$_drift${_drift:+, }$_d table $TABLE via $(names_of "$_is")"
			fi
		done
	fi
	[ -n "$_drift" ] || return 0
	if apply_set "$WANT"; then
		log "drift ($1): $_drift; repaired: $(names_of "$WANT")"
		reflush_dead
	else
		log "drift ($1): $_drift; repair failed, will retry"
	fi
	write_status running
}
