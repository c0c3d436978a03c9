# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # variables are assigned through cfg/eval and read in the other parts

# ---------------------------------------------------------------- dynamic uplinks
# A DHCP or PPPoE uplink's address and gateway are the client's (dhclient, dhcpcd, networkd,
# NetworkManager, pppd): each puts the lease's default route into the uplink's table, and the
# kernel holds the address. This part reads both from the kernel whenever the route monitor
# reports an address or route event (and on the 5 s check), and keeps what depends on them: the
# `from ADDRESS` rule, the nexthop in the balance and the probes. A dynamic uplink without a
# lease is never in a route.

# lease_read J -> LA (address), LG (gateway; a PPP link has none), LN (subnet for on-link probes),
# LOK (1: usable). A PPP link's peer is on-link.
lease_read() {
	cfg _dv "UPLINK_${1}_DEV"
	cfg _dy "UPLINK_${1}_DYN"
	cfg _tb "UPLINK_${1}_TABLE"
	LA='' LG='' LN='' LOK=0
	_ll=$("$IP" -4 -o addr show dev "$_dv" scope global 2>/dev/null)
	# shellcheck disable=SC2086 # split the first global address line into words
	set -- ${_ll%%"$NL"*}
	while [ $# -gt 0 ]; do
		case $1 in
		inet)
			LA=${2%/*}
			LN=$2
			shift
			;;
		peer) LN=${2-} ;;
		esac
		shift
	done
	is_ipv4 "$LA" || { LA='' LN='' && return 0; }
	if [ "$_dy" = dhcp ]; then
		_ll=$("$IP" -4 -o route show table "$_tb" default dev "$_dv" 2>/dev/null)
		# shellcheck disable=SC2086 # split the first route into words
		set -- ${_ll%%"$NL"*}
		while [ $# -gt 0 ]; do
			[ "$1" = via ] && LG=${2-}
			shift
		done
		is_ipv4 "$LG" || LG=
		[ -n "$LG" ] && LOK=1
	else
		LOK=1
	fi
}

# lease_stale J: remove every `from ADDRESS` rule of the uplink's table and priority but the current
# lease's: left by an earlier run (the lease changed while no keepalive ran)
lease_stale() {
	cfg _tb "UPLINK_${1}_TABLE"
	cfg _pr "UPLINK_${1}_PRIO"
	eval "_cur=\${C_UPLINK_${1}_SRC-}"
	_rl=$("$IP" -4 rule show priority "$_pr" 2>/dev/null)
	_old=$IFS
	IFS=$NL
	for _l in $_rl; do
		IFS=$_old
		# shellcheck disable=SC2086 # split the rule into words
		set -- $_l
		if [ "${2-}" != from ] || [ "${3-}" = all ] || [ "${3-}" = "$_cur" ]; then continue; fi
		case " $* " in *" lookup $_tb "*) ;; *) continue ;; esac
		"$IP" rule del from "$3" lookup "$_tb" priority "$_pr" 2>/dev/null && log "$(uname_of "$1") lease: removed the rule of an earlier lease, from $3"
	done
	IFS=$_old
}

# lease_ok J: the uplink can carry traffic now (a static one always)
lease_ok() {
	eval "_lk=\${LEASE_$1:-1}"
	[ "$_lk" = 1 ]
}

# follow: re-read every dynamic uplink; on a change, move its rule, rewrite the balance, restart
# its probes. Returns 0 when something changed.
follow() {
	_fch=1
	_j=1
	while [ "$_j" -le "$N" ]; do
		cfg _dy "UPLINK_${_j}_DYN"
		if [ -n "$_dy" ]; then
			lease_read "$_j"
			eval "_oa=\$C_UPLINK_${_j}_SRC _og=\$C_UPLINK_${_j}_GW _ok=\${LEASE_$_j:-0}"
			if [ "$LA" != "$_oa" ] || [ "$LG" != "$_og" ] || [ "$LOK" != "$_ok" ]; then
				lease_apply "$_j" "$_oa" "$_og"
				_fch=0
			fi
		fi
		_j=$((_j + 1))
	done
	[ "$_fch" = 0 ] || return 1
	# the nexthops' gateways changed even where the set did not: rewrite every route
	_k=0
	for _d in $ROUTES; do
		_k=$((_k + 1))
		eval "IS_$_k=' changed '"
	done
	reconcile
	# while the lease was gone the balance held other lines only: flows whose entries the kernel
	# dropped with the address were picked up there, and those pinned to a dead line must go, so
	# that their next packets take the lease's line again
	reflush_dead
	write_status running
	return 0
}

# lease_apply J OLD_ADDRESS OLD_GATEWAY (LA LG LN LOK hold the new lease)
lease_apply() {
	cfg _tb "UPLINK_${1}_TABLE"
	cfg _pr "UPLINK_${1}_PRIO"
	_nm=$(uname_of "$1")
	if [ -n "$2" ] && [ "$2" != "$LA" ]; then
		"$IP" rule del from "$2" lookup "$_tb" priority "$_pr" 2>/dev/null
		# renumbered: what was masqueraded to the old address cannot come back. Not when the lease
		# only went: a client that drops and takes the same lease again (networkd's restart, a
		# reconfigure) would lose every connection, and the kernel removes those masqueraded to an
		# address that really goes
		[ -n "$LA" ] && [ -n "$CONNTRACK" ] && "$CONNTRACK" -D -f ipv4 --reply-dst "$2" >/dev/null 2>&1
	fi
	if [ -n "$LA" ]; then
		# one rule per address: delete before adding, so a repeated add never stacks copies
		"$IP" rule del from "$LA" lookup "$_tb" priority "$_pr" 2>/dev/null
		"$IP" rule add from "$LA" lookup "$_tb" priority "$_pr" || log "error: ip rule add from $LA lookup $_tb failed"
	fi
	eval "C_UPLINK_${1}_SRC=\$LA C_UPLINK_${1}_GW=\$LG C_UPLINK_${1}_NET=\$LN LEASE_$1=\$LOK"
	lease_routes "$1"
	if [ "$LOK" = 1 ]; then
		log "$_nm lease: address ${LA} gateway ${LG:-(point-to-point)} (was ${2:-none} ${3:-})"
	elif [ -n "$LA" ]; then
		log "$_nm lease: address $LA, no router in table $_tb yet (was ${2:-none} ${3:-}): out of the balance"
	else
		log "$_nm lease: none (was ${2:-none} ${3:-}): out of the balance"
	fi
	# the probes read this file when they (re)start; kill their ping so they do
	printf '%s %s %s %s\n' "$LOK" "${LA:--}" "${LG:--}" "${LN:--}" >"$RUN/$NAME.lease.$1.tmp" && mv -f "$RUN/$NAME.lease.$1.tmp" "$RUN/$NAME.lease.$1"
	set +f
	for _pf in "$RUN/$NAME.$MAINPID.$1".*.pid; do
		[ -f "$_pf" ] && read -r _pp <"$_pf" && is_uint "$_pp" && kill "$_pp" 2>/dev/null
	done
	set -f
}

# lease_routes J: the balanced destinations other than the default route, through the lease's
# router in the uplink's table (its client adds the default alone; without these the table's
# prohibit fallback would refuse them); removed without a lease. A PPP session's default too:
# pppd adds none (nodefaultroute), and its ip-up hook's may have been missed.
lease_routes() {
	cfg _tb "UPLINK_${1}_TABLE"
	cfg _dv "UPLINK_${1}_DEV"
	cfg _dy "UPLINK_${1}_DYN"
	for _d in $ROUTES; do
		[ "$_d" = default ] && [ "$_dy" = dhcp ] && continue
		if [ "$LOK" = 1 ]; then
			# shellcheck disable=SC2086 # the optional words
			"$IP" route replace "$_d" ${LG:+via "$LG"} dev "$_dv" table "$_tb" proto static ${LG:+onlink} ||
				log "error: ip route replace $_d table $_tb dev $_dv failed"
		else
			"$IP" route del "$_d" dev "$_dv" table "$_tb" 2>/dev/null
		fi
	done
}

# probe_lease J TARGET -> PT (the target now: "gw" is the lease's gateway, or the PPP peer),
# PB (what to bind), PD (the device), PA (the address); 1 without a lease
probe_lease() {
	PT='' PB='' PD='' PA=''
	[ -r "$RUN/$NAME.lease.$1" ] || return 1
	read -r _lk _la _lg _ln <"$RUN/$NAME.lease.$1" || return 1
	[ "$_lk" = 1 ] || return 1
	PT=$2
	if [ "$PT" = gw ]; then
		PT=$_lg
		[ "$PT" = - ] && PT=${_ln%/*}
	fi
	cfg PD "UPLINK_${1}_DEV"
	PA=$_la
	# bound to the leased address, so its rule routes the probe through the uplink's table, where
	# the client keeps the lease's routes (networkd keeps even the subnet's there, not in main)
	PB=$_la
	is_ipv4 "$PT"
}
