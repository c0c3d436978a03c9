# shellcheck shell=sh
# shellcheck disable=SC2034,SC2153 # S and M are results the other parts read; FISEC and FAR_* come from the lifecycle part

# ---------------------------------------------------------------- probing

# ms_to_s 250 -> S=0.250
ms_to_s() {
	_f=$(($1 % 1000))
	case ${#_f} in 1) _f=00$_f ;; 2) _f=0$_f ;; esac
	S=$(($1 / 1000)).$_f
}

# to_us "0.081" UNIT -> US (microseconds); UNIT is ms (default), usec or sec
to_us() {
	_t=$1
	_int=${_t%%.*}
	case $_t in *.*) _fr=${_t#*.} ;; *) _fr= ;; esac
	case $_int in '' | *[!0-9]*) _int=0 ;; esac
	case $_fr in *[!0-9]*) _fr= ;; esac
	_fr=${_fr}000000
	_fr=${_fr%"${_fr#??????}"}
	_int=${_int#"${_int%%[!0]*}"}
	_fr=${_fr#"${_fr%%[!0]*}"}
	# _int._fr in units of 1e-6 of UNIT
	_x=$((${_int:-0} * 1000000 + ${_fr:-0}))
	case ${2:-ms} in
	usec) US=$((_x / 1000000)) ;;
	sec) US=$_x ;;
	*) US=$((_x / 1000)) ;;
	esac
}

# fmt_ms US -> M ("12.345")
fmt_ms() {
	_f=$(($1 % 1000))
	case ${#_f} in 1) _f=00$_f ;; 2) _f=0$_f ;; esac
	M=$(($1 / 1000)).$_f
}

in_net() {
	_a=$1
	_n=${2%/*}
	_p=${2#*/}
	[ -n "$2" ] || return 1
	ip2int "$_a"
	_x=$IPI
	ip2int "$_n"
	_m=$(((0xffffffff << (32 - _p)) & 0xffffffff))
	[ "$_p" = 0 ] && _m=0
	[ $((_x & _m)) -eq $((IPI & _m)) ]
}
ip2int() {
	_o=$IFS
	IFS=.
	# shellcheck disable=SC2086 # validated dotted quad
	set -- $1
	IFS=$_o
	IPI=$((($1 << 24) + ($2 << 16) + ($3 << 8) + $4))
}

# ---------------------------------------------------------------- monitor
# One per target, in a background subshell. Reads its probe's output and
# writes events to fd 3 (the daemon's event FIFO):
#   T I J STATE SENT LOST RUN RTT_AVG_US RTT_LAST_US   target transition
#   P I J STATE SENT LOST RTT_AVG_US                   statistics, every STATS_EVERY probes
#   X I J RC                                           the probe program exited

emit() { printf '%s\n' "$*" >&3; }

# record the outcome of one probe: $1 = 1 answered, 0 lost
outcome() {
	sent=$((sent + 1))
	wsent=$((wsent + 1))
	if [ "$1" = 1 ]; then
		okrun=$((okrun + 1))
		lossrun=0
		rsum=$((rsum + rtt))
		rn=$((rn + 1))
		wrsum=$((wrsum + rtt))
		wrn=$((wrn + 1))
		if [ "$st" = 0 ] && [ "$okrun" -ge "$UP" ]; then
			st=1
			emit "T $mi $mj up $sent $lost $okrun $((rsum / rn)) $rtt"
			sent=0 lost=0 rsum=0 rn=0
		fi
	else
		lost=$((lost + 1))
		wlost=$((wlost + 1))
		lossrun=$((lossrun + 1))
		okrun=0
		if [ "$st" = 1 ] && [ "$lossrun" -ge "$DOWN" ]; then
			st=0
			_a=0
			[ "$rn" -gt 0 ] && _a=$((rsum / rn))
			emit "T $mi $mj down $sent $lost $lossrun $_a $rtt"
			sent=0 lost=0 rsum=0 rn=0
		fi
	fi
	if [ "$wsent" -ge "$STATS_EVERY" ]; then
		_a=0
		[ "$wrn" -gt 0 ] && _a=$((wrsum / wrn))
		emit "P $mi $mj $st $wsent $wlost $_a"
		wsent=0 wlost=0 wrsum=0 wrn=0
		# the daemon is gone (kill -9): stop probing
		kill -0 "$MAINPID" 2>/dev/null || {
			stop_probe
			exit 0
		}
	fi
}

# seq_of RAW -> SEQ: unwrap a 16-bit icmp_seq next to $fin
seq_of() {
	SEQ=$((fin + ($1 - fin % 65536 + 98304) % 65536 - 32768))
}

# finalize probes in order: answered, refused, or timed out (K intervals old)
finalize() {
	if [ $((clock - fin)) -gt 4096 ]; then
		fin=$((clock - K))
	fi
	while :; do
		case $ans in
		*" $fin "*)
			ans=${ans%%" $fin "*}" "${ans#*" $fin "}
			outcome 1
			;;
		*)
			case $errs in
			*" $fin "*)
				errs=${errs%%" $fin "*}" "${errs#*" $fin "}
				outcome 0
				;;
			*)
				[ $((fin + K)) -le "$clock" ] || break
				outcome 0
				;;
			esac
			;;
		esac
		fin=$((fin + 1))
	done
}

parse_ping() {
	fin=1 clock=0 ans=' ' errs=' '
	while IFS= read -r line; do
		case $line in
		*' bytes from '*'icmp_seq='*' time='*)
			_s=${line#*icmp_seq=}
			_s=${_s%% *}
			is_uint "$_s" || continue
			seq_of "$_s"
			_t=${line#* time=}
			_t=${_t%% *}
			to_us "$_t" ms
			if [ "$US" -le "$TIMEOUT_US" ] && [ "$SEQ" -ge "$fin" ]; then
				case $ans in *" $SEQ "*) ;; *) ans="$ans$SEQ " ;; esac
				rtt=$US
			fi
			[ "$SEQ" -gt "$clock" ] && clock=$SEQ
			;;
		'no answer yet for icmp_seq='*)
			_s=${line#*icmp_seq=}
			is_uint "$_s" || continue
			seq_of "$_s"
			[ $((SEQ + 1)) -gt "$clock" ] && clock=$((SEQ + 1))
			;;
		*'icmp_seq='*)
			# an ICMP error for our probe (unreachable, TTL exceeded): lost
			_s=${line#*icmp_seq=}
			_s=${_s%% *}
			is_uint "$_s" || continue
			seq_of "$_s"
			if [ "$SEQ" -ge "$fin" ]; then
				case $errs in *" $SEQ "*) ;; *) errs="$errs$SEQ " ;; esac
			fi
			[ "$SEQ" -gt "$clock" ] && clock=$SEQ
			;;
		*) continue ;;
		esac
		finalize
	done
}

# Thomas Habets' arping: one line per probe, a reply or "Timeout"
parse_arping() {
	while IFS= read -r line; do
		case $line in
		*' bytes from '*' time='*)
			_t=${line#* time=}
			_u=${_t#* }
			_t=${_t%% *}
			to_us "$_t" "$_u"
			rtt=$US
			if [ "$US" -le "$TIMEOUT_US" ]; then outcome 1; else outcome 0; fi
			;;
		Timeout*) outcome 0 ;;
		esac
	done
}

stop_probe() {
	if [ -n "$pp" ]; then
		kill "$pp" 2>/dev/null
		wait "$pp" 2>/dev/null
	fi
	pp=
	rm -f "$fifo" "$fifo.pid"
}

# monitor I J TARGET BIND INITIAL_STATE FAR: FAR=1 for a far target, probed at its own timing
monitor() {
	mi=$1 mj=$2 tgt=$3 bind=$4 st=$5
	if [ "${6:-0}" = 1 ]; then
		ISEC=$FISEC DOWN=$FAR_DOWN UP=$FAR_UP K=$FK STATS_EVERY=$FSTATS TIMEOUT_US=$FTIMEOUT_US
	fi
	pp=
	fifo=$RUN/$NAME.$MAINPID.$mi.$mj
	trap 'stop_probe; exit 0' TERM INT HUP
	sent=0 lost=0 rsum=0 rn=0 wsent=0 wlost=0 wrsum=0 wrn=0 okrun=0 lossrun=0 rtt=0
	cfg _mdy "UPLINK_${mi}_DYN"
	mtgt=$tgt
	while :; do
		# a dynamic uplink: the target and the binding of the current lease. Without one the line is
		# out of the balance anyway; no loss is counted, so that a lease that comes back (the same
		# after a client's restart, or a new one after a renumbering) puts the line back at once,
		# unless its probes then fail
		if [ -n "$_mdy" ]; then
			if probe_lease "$mi" "$mtgt"; then
				tgt=$PT bind=$PB SRCADDR=$PA
				[ "$METHOD" = arping ] && bind=$PD
			else
				kill -0 "$MAINPID" 2>/dev/null || exit 0
				sleep "$ISEC"
				continue
			fi
		fi
		rm -f "$fifo"
		if mkfifo -m 600 "$fifo"; then
			if [ "$METHOD" = arping ]; then
				"$ARPING" -i "$bind" -S "$SRCADDR" -W "$ISEC" "$tgt" >"$fifo" 2>&1 3>&- 7>&- 8>&- &
				pp=$!
				printf '%s\n' "$pp" >"$fifo.pid"
				parse_arping <"$fifo"
			else
				# shellcheck disable=SC2046 # the optional -m MARK is two words
				"$PING" -n -O -i "$ISEC" $([ -n "$PMARK" ] && printf -- '-m %s' $((PMARK))) -I "$bind" "$tgt" >"$fifo" 2>&1 3>&- 7>&- 8>&- &
				pp=$!
				printf '%s\n' "$pp" >"$fifo.pid"
				parse_ping <"$fifo"
			fi
			wait "$pp"
			_rc=$?
			pp=
			emit "X $mi $mj $_rc"
		fi
		kill -0 "$MAINPID" 2>/dev/null || exit 0
		# the probe program died (device gone, address gone): count a loss
		# per interval until it runs again
		outcome 0
		sleep 1
	done
}
