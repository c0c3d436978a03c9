# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # most variables are assigned through cfg/eval; PENDING is read in the other parts

# ---------------------------------------------------------------- kernel state

# route_line DEST: the first line for DEST from $ROUTE_DUMP into RL ("" if absent), their count
# into RC (a daemon that appends its own route leaves two: the kernel uses the first)
route_line() {
	RL=
	RC=0
	_d=$1
	_old=$IFS
	IFS='
'
	for _l in $ROUTE_DUMP; do
		IFS=$_old
		# shellcheck disable=SC2086 # split the route into words
		set -- $_l
		case ${1-} in
		"$_d" | "${_d%/32}")
			[ -n "$RL" ] || RL=$_l
			RC=$((RC + 1))
			;;
		esac
	done
	IFS=$_old
}

# devs_of "ROUTE LINE" -> DEVS " 1 3 " (uplink numbers whose device is a nexthop), MET (metric)
devs_of() {
	DEVS=' '
	MET=
	# shellcheck disable=SC2086 # split the route into words
	set -- $1
	while [ $# -gt 0 ]; do
		case $1 in
		dev)
			shift
			_j=1
			while [ "$_j" -le "$N" ]; do
				cfg _dv "UPLINK_${_j}_DEV"
				if [ "${1-}" = "$_dv" ]; then
					case $DEVS in *" $_j "*) ;; *) DEVS="$DEVS$_j " ;; esac
				fi
				_j=$((_j + 1))
			done
			;;
		metric)
			shift
			# shellcheck disable=SC2034 # read through eval in read_kernel
			MET=${1-}
			;;
		esac
		[ $# -gt 0 ] && shift
	done
}

# sorted canonical set " 1 2 4 "
canon() {
	_c=' '
	_j=1
	while [ "$_j" -le "$N" ]; do
		case $1 in *" $_j "*) _c="$_c$_j " ;; esac
		_j=$((_j + 1))
	done
	CANON=$_c
}

read_kernel() {
	if [ "$MODE" = teql ]; then
		_j=1
		ATT=' '
		while [ "$_j" -le "$N" ]; do
			cfg _dv "UPLINK_${_j}_DEV"
			case $("$TC" qdisc show dev "$_dv" root 2>/dev/null) in
			*"qdisc $BOND "*) ATT="$ATT$_j " ;;
			esac
			_j=$((_j + 1))
		done
		INSTALLED=$ATT
	else
		ROUTE_DUMP=$("$IP" -o route show table "$TABLE" 2>/dev/null)
		_k=0
		CANON=' '
		INSTALLED=
		for _d in $ROUTES; do
			_k=$((_k + 1))
			route_line "$_d"
			if [ -n "$RL" ]; then
				devs_of "$RL"
				canon "$DEVS"
				eval "IS_$_k=\$CANON MET_$_k=\$MET HAVE_$_k=1 DUP_$_k=\$RC"
				# two routes: never what is wanted, apply_set removes them all first
				[ "$RC" -gt 1 ] && eval "IS_$_k=' dup '"
			else
				eval "IS_$_k=' ' MET_$_k= HAVE_$_k=0 DUP_$_k=0"
			fi
			[ -n "$INSTALLED" ] || INSTALLED=$CANON
			[ "$_k" = 1 ] && [ -z "$RL" ] && INSTALLED=MISSING
		done
	fi
}

# nexthops "SET" -> NH (the nexthop arguments for ip route)
nexthops() {
	NH=
	_j=1
	while [ "$_j" -le "$N" ]; do
		case $1 in
		*" $_j "*)
			cfg _dv "UPLINK_${_j}_DEV"
			cfg _gw "UPLINK_${_j}_GW"
			cfg _w "UPLINK_${_j}_WEIGHT"
			cfg _on "UPLINK_${_j}_ONLINK"
			# a lease's router is on the link by definition; the client may keep the subnet's
			# route in the uplink's table only (networkd's RouteTable=), where the kernel's check
			# of a nexthop in the multipath table does not look
			cfg _dy "UPLINK_${_j}_DYN"
			[ -n "$_dy" ] && _on=1
			if [ -n "$_gw" ]; then
				NH="$NH nexthop via $_gw dev $_dv weight $_w"
				[ "$_on" = 1 ] && NH="$NH onlink"
			else
				NH="$NH nexthop dev $_dv weight $_w"
			fi
			;;
		esac
		_j=$((_j + 1))
	done
}

# apply_set "SET": make the kernel match SET; one atomic change per route/slave
apply_set() {
	_want=$1
	_rc=0
	if [ "$MODE" = teql ]; then
		# attach before detaching: a tier change never leaves the bond without a slave
		for _pass in add del; do
			_j=1
			while [ "$_j" -le "$N" ]; do
				cfg _dv "UPLINK_${_j}_DEV"
				case $_want in *" $_j "*) _w=1 ;; *) _w=0 ;; esac
				case $ATT in *" $_j "*) _h=1 ;; *) _h=0 ;; esac
				if [ "$_pass" = add ] && [ "$_w" = 1 ] && [ "$_h" = 0 ]; then
					if "$TC" qdisc add dev "$_dv" root "$BOND"; then
						ATT="$ATT$_j "
						CHANGES=$((CHANGES + 1))
						log "attached $_dv to $BOND"
					else
						_rc=1
					fi
				elif [ "$_pass" = del ] && [ "$_w" = 0 ] && [ "$_h" = 1 ]; then
					if "$TC" qdisc del dev "$_dv" root; then
						ATT=${ATT%%" $_j "*}" "${ATT#*" $_j "}
						CHANGES=$((CHANGES + 1))
						log "detached $_dv from $BOND"
					else
						_rc=1
					fi
				fi
				_j=$((_j + 1))
			done
		done
		canon "$ATT"
		INSTALLED=$CANON
		PENDING=$_rc
		return $_rc
	fi
	nexthops "$_want"
	_k=0
	for _d in $ROUTES; do
		_k=$((_k + 1))
		eval "_is=\$IS_$_k _met=\$MET_$_k _dup=\${DUP_$_k:-0}"
		[ "$_is" = "$_want" ] && continue
		# another route for the same destination (networkd appends its own at its start): each
		# delete takes the first; the gap before the replace below is a few milliseconds
		[ "$_is" = ' dup ' ] || _dup=0
		while [ "$_dup" -gt 0 ]; do
			"$IP" route del "$_d" table "$TABLE" 2>/dev/null || break
			_dup=$((_dup - 1))
		done
		eval "DUP_$_k=0"
		_eq=
		[ "$MODE" = equalize ] && _eq=equalize
		# shellcheck disable=SC2086 # NH and the optional words are lists of words
		if "$IP" route replace "$_d" table "$TABLE" proto static ${_met:+metric "$_met"} $_eq $NH; then
			eval "IS_$_k=\$_want HAVE_$_k=1"
			CHANGES=$((CHANGES + 1))
			log "route $_d table $TABLE:$NH"
		else
			_rc=1
			log "error: ip route replace $_d table $TABLE failed; will retry"
		fi
	done
	if [ $_rc = 0 ]; then
		INSTALLED=$_want
		PENDING=0
	else
		PENDING=1
	fi
	return $_rc
}
