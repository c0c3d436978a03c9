# shellcheck shell=sh
# shellcheck disable=SC2034,SC2153,SC2154 # most variables are assigned through cfg/eval

# ---------------------------------------------------------------- metrics
# Prometheus text format for node_exporter's textfile collector. The daemon runs as a transient
# user that cannot write the collector's directory, so it writes $RUN/NAME.prom (mode 0644, replaced
# by rename: the collector reads it at any moment), and the unit's privileged ExecStartPre links
# DIR/mpgen_NAME.prom to it in each directory of METRICS_DIR that exists (ExecStopPost unlinks:
# no stale figures for a stopped keepalive).
# Loss and rtt are those of the last statistics window of the uplink's targets together.

# fmt_micro X -> FM: X millionths as a decimal ("0.012345")
fmt_micro() {
	_f=$(($1 % 1000000))
	while [ ${#_f} -lt 6 ]; do _f=0$_f; done
	FM=$(($1 / 1000000)).$_f
}

# uplink_window J -> WS (sent), WL (lost), WR (rtt average in us, weighted by answers)
uplink_window() {
	WS=0 WL=0 WR=0
	_wa=0
	eval "_nt=\$NT_$1"
	_t=1
	while [ "$_t" -le "$_nt" ]; do
		eval "_s=\${PSN_$1_$_t:-0} _lo=\${PLS_$1_$_t:-0} _r=\${PRT_$1_$_t:-0}"
		WS=$((WS + _s))
		WL=$((WL + _lo))
		_a=$((_s - _lo))
		WR=$((WR + _r * _a))
		_wa=$((_wa + _a))
		_t=$((_t + 1))
	done
	if [ "$_wa" -gt 0 ]; then WR=$((WR / _wa)); else WR=-1; fi
}

# metric NAME TYPE HELP: the header, then one sample per uplink that has a value
metric() {
	printf '# HELP %s %s\n# TYPE %s %s\n' "$1" "$3" "$1" "$2"
	_j=1
	while [ "$_j" -le "$N" ]; do
		eval "_nm=\$C_UPLINK_${_j}_NAME _dv=\$C_UPLINK_${_j}_DEV _tr=\$C_UPLINK_${_j}_TIER _l=\$L_$_j _x=\$TR_$_j"
		case $1 in
		mpgen_uplink_up) _v=$_l ;;
		mpgen_uplink_in_balance) case $INSTALLED in *" $_j "*) _v=1 ;; *) _v=0 ;; esac ;;
		mpgen_uplink_transitions_total) _v=$_x ;;
		mpgen_uplink_loss_ratio)
			uplink_window "$_j"
			if [ "$WS" -gt 0 ]; then
				fmt_micro $((WL * 1000000 / WS))
				_v=$FM
			else
				_v=
			fi
			;;
		mpgen_uplink_rtt_seconds)
			uplink_window "$_j"
			if [ "$WR" -ge 0 ]; then
				fmt_micro "$WR"
				_v=$FM
			else
				_v=
			fi
			;;
		esac
		# no figure yet (no window, no answer): no sample, rather than a made-up value
		[ -n "$_v" ] && printf '%s{profile="%s",uplink="%s",interface="%s",tier="%s"} %s\n' "$1" "$NAME" "$_nm" "$_dv" "$_tr" "$_v"
		_j=$((_j + 1))
	done
}

# metrics_dirs: the collector directories of METRICS_DIR that exist, in MD
metrics_dirs() {
	MD=
	for _d in $METRICS_DIR; do
		[ -d "$_d" ] && MD="$MD $_d"
	done
}

write_metrics() {
	metrics_dirs
	[ -n "$MD" ] || return 0
	_mf=$RUN/$NAME.prom
	{
		metric mpgen_uplink_up gauge "1 while the uplink's targets reach their quorum"
		metric mpgen_uplink_in_balance gauge "1 while the uplink is in the balance (route nexthop or teql slave)"
		metric mpgen_uplink_loss_ratio gauge "probes lost in the last statistics window, over all targets"
		metric mpgen_uplink_rtt_seconds gauge "average round trip of the answered probes in the last window"
		metric mpgen_uplink_transitions_total counter "up/down transitions since the keepalive started"
	} >"$_mf.new" && chmod 0644 "$_mf.new" && mv -f "$_mf.new" "$_mf"
}

# metrics_link link|unlink: run as root by the unit, around the daemon
metrics_link() {
	metrics_dirs
	for _d in $MD; do
		_l=$_d/mpgen_$NAME.prom
		if [ "$1" = link ]; then
			ln -sfn "$RUN/$NAME.prom" "$_l" || log "metrics: cannot link $_l"
		elif [ -L "$_l" ] && [ "$(readlink "$_l")" = "$RUN/$NAME.prom" ]; then
			rm -f "$_l"
		fi
	done
	return 0
}
