"""Reserved words of the Kamailio 5.6 scanner (src/core/cfg.lex), declared once.

Keywords are case-sensitive; some have explicit upper-case twins. A word listed here is never an ID
(so it cannot be a route name, a flag name or a cfg-var group), exactly as in Kamailio.
"""

# token type -> spellings (core actions, statements, expression keywords, top-level statements)
KEYWORDS = {
    "FORWARD": "forward", "FORWARD_TCP": "forward_tcp", "FORWARD_UDP": "forward_udp",
    "FORWARD_TLS": "forward_tls", "FORWARD_SCTP": "forward_sctp",
    "DROP": "drop", "EXIT": "exit", "RETURN": "return", "BREAK": "break",
    "LOG_TOK": "log", "ERROR": "error", "EXEC": "exec",
    "ROUTE": "route", "ROUTE_REQUEST": "request_route", "ROUTE_FAILURE": "failure_route",
    "ROUTE_REPLY": "reply_route", "ROUTE_ONREPLY": "onreply_route", "ROUTE_BRANCH": "branch_route",
    "ROUTE_SEND": "onsend_route", "ROUTE_EVENT": "event_route",
    "SETFLAG": "setflag", "RESETFLAG": "resetflag", "ISFLAGSET": "isflagset",
    "FLAGS_DECL": "flags bool", "SETAVPFLAG": "setavpflag", "RESETAVPFLAG": "resetavpflag",
    "ISAVPFLAGSET": "isavpflagset", "AVPFLAGS_DECL": "avpflags",
    "SET_HOST": "rewritehost sethost seth", "SET_HOSTPORT": "rewritehostport sethostport sethp",
    "SET_HOSTPORTTRANS": "rewritehostporttrans sethostporttrans sethpt",
    "SET_USER": "rewriteuser setuser setu", "SET_USERPASS": "rewriteuserpass setuserpass setup",
    "SET_PORT": "rewriteport setport setp", "SET_URI": "rewriteuri seturi",
    "REVERT_URI": "revert_uri", "PREFIX": "prefix", "STRIP": "strip", "STRIP_TAIL": "strip_tail",
    "SET_USERPHONE": "userphone", "REMOVE_BRANCH": "remove_branch", "CLEAR_BRANCHES": "clear_branches",
    "FORCE_RPORT": "force_rport add_rport", "ADD_LOCAL_RPORT": "add_local_rport",
    "FORCE_TCP_ALIAS": "force_tcp_alias add_tcp_alias", "UDP_MTU_TRY_PROTO": "udp_mtu_try_proto",
    "SET_ADV_ADDRESS": "set_advertised_address", "SET_ADV_PORT": "set_advertised_port",
    "FORCE_SEND_SOCKET": "force_send_socket",
    "SET_FWD_NO_CONNECT": "set_forward_no_connect", "SET_RPL_NO_CONNECT": "set_reply_no_connect",
    "SET_FWD_CLOSE": "set_forward_close", "SET_RPL_CLOSE": "set_reply_close",
    "CFG_SELECT": "cfg_select", "CFG_RESET": "cfg_reset",
    "IF": "if", "ELSE": "else", "SWITCH": "switch", "CASE": "case", "DEFAULT": "default",
    "WHILE": "while",
    "METHOD": "method", "URI": "uri status", "FROM_URI": "from_uri", "TO_URI": "to_uri",
    "SRCIP": "src_ip", "SRCPORT": "src_port", "DSTIP": "dst_ip", "DSTPORT": "dst_port",
    "SNDIP": "snd_ip", "SNDPORT": "snd_port", "SNDPROTO": "snd_proto to_proto", "SNDAF": "snd_af to_af",
    "TOIP": "to_ip", "TOPORT": "to_port", "PROTO": "proto", "AF": "af", "MYSELF": "myself",
    "MAX_LEN": "max_len",
    "NOT": "not", "LOG_AND": "and", "LOG_OR": "or", "MODULO": "mod",
    "STRLEN": "strlen", "STREMPTY": "strempty", "DEFINED": "defined", "SELVAL": "selval",
    "STREQ": "eq", "INTEQ": "ieq", "STRDIFF": "ne", "INTDIFF": "ine",
    "LISTEN": "listen", "ALIAS": "alias", "ADVERTISE": "advertise ADVERTISE", "VIRTUAL": "virtual",
    "STRNAME": "name NAME", "CFG_DESCRIPTION": "description descr desc",
    "LOADMODULE": "loadmodule", "LOADMODULEX": "loadmodulex", "LOADPATH": "loadpath mpath",
    "MODPARAM": "modparam", "MODPARAMX": "modparamx", "CFGENGINE": "cfgengine",
    "KEMI": "kemi", "STAT": "statistics",
    "KEMI_CB": "onsend_route_callback reply_route_callback event_route_callback "
               "received_route_callback pre_routing_callback",
    "UDP": "udp UDP", "TCP": "tcp TCP", "TLS": "tls TLS", "SCTP": "sctp SCTP", "WS": "ws WS",
    "WSS": "wss WSS",
    "SSLv23": "sslv23 SSLv23 SSLV23", "SSLv2": "sslv2 SSLv2 SSLV2", "SSLv3": "sslv3 SSLv3 SSLV3",
    "TLSv1": "tlsv1 TLSv1 TLSV1",
}

# words scanned as NUMBER tokens: value
NUMBER_WORDS = {w: 1 for w in "yes true on enable".split()}
NUMBER_WORDS.update({w: 0 for w in "no false off disable".split()})
NUMBER_WORDS.update({w: 2 for w in "inet INET ipv4 IPv4 IPV4".split()})
NUMBER_WORDS.update({w: 10 for w in "inet6 INET6 ipv6 IPv6 IPV6".split()})

# Core parameters settable with `name = value` (assign_stm in cfg.y), scanned as CORE_PARAM tokens.
# canonical name: (other spellings, value kind). Kinds: int = NUMBER; int- = NUMBER or -NUMBER;
# str = STRING; id = ID; id/str; id/int; ipv4; ipv6; proto (udp|tcp|tls|sctp|*); tls_method;
# addr = listen_id (ip, string or host name).
CORE_PARAMS = {
    "debug": ("", "int-"), "fork": ("", "int"), "fork_delay": ("", "int"), "modinit_delay": ("", "int"),
    "log_stderror": ("", "int"), "log_facility": ("", "id"), "log_name": ("", "str"),
    "log_color": ("", "int"), "log_prefix": ("", "str"), "log_prefix_mode": ("", "int"),
    "log_engine_type": ("", "str"), "log_engine_data": ("", "str"),
    "xavp_via_params": ("", "str"), "xavp_via_fields": ("", "str"),
    "auto_aliases": ("", "int"), "dns": ("", "int"), "rev_dns": ("", "int"),
    "dns_try_ipv6": ("", "int"), "dns_try_naptr": ("", "int"), "dns_srv_lb": ("dns_srv_loadbalancing", "int"),
    "dns_udp_pref": ("dns_udp_preference", "int-"), "dns_tcp_pref": ("dns_tcp_preference", "int-"),
    "dns_tls_pref": ("dns_tls_preference", "int-"), "dns_sctp_pref": ("dns_sctp_preference", "int-"),
    "dns_retr_time": ("", "int"), "dns_slow_query_ms": ("", "int"), "dns_retr_no": ("", "int"),
    "dns_servers_no": ("", "int"), "dns_use_search_list": ("", "int"), "dns_search_full_match": ("", "int"),
    "dns_naptr_ignore_rfc": ("", "int"), "dns_cache_init": ("", "int"), "use_dns_cache": ("", "int"),
    "use_dns_failover": ("", "int"), "dns_cache_flags": ("", "int"), "dns_cache_negative_ttl": ("", "int"),
    "dns_cache_min_ttl": ("", "int"), "dns_cache_max_ttl": ("", "int"), "dns_cache_mem": ("", "int"),
    "dns_cache_gc_interval": ("", "int"), "dns_cache_del_nonexp": ("dns_cache_delete_nonexpired", "int"),
    "dns_cache_rec_pref": ("", "int"), "auto_bind_ipv6": ("", "int"), "bind_ipv6_link_local": ("", "int"),
    "ipv6_hex_style": ("", "str"), "dst_blocklist_init": ("", "int"), "use_dst_blocklist": ("", "int"),
    "dst_blocklist_mem": ("", "int"), "dst_blocklist_expire": ("dst_blocklist_ttl", "int"),
    "dst_blocklist_gc_interval": ("", "int"), "dst_blocklist_udp_imask": ("", "int"),
    "dst_blocklist_tcp_imask": ("", "int"), "dst_blocklist_tls_imask": ("", "int"),
    "dst_blocklist_sctp_imask": ("", "int"), "ip_free_bind": ("ipfreebind ip_nonlocal_bind", "int-"),
    "port": ("", "int"), "stats_name_separator": ("", "str"), "maxbuffer": ("", "int"),
    "sql_buffer_size": ("", "int"), "children": ("", "int"), "socket_workers": ("", "int"),
    "async_workers": ("", "int"), "async_usleep": ("", "int"), "async_nonblock": ("", "int"),
    "async_workers_group": ("", "str"), "check_via": ("", "int"), "phone2tel": ("", "int"),
    "memlog": ("mem_log", "int-"), "memdbg": ("mem_dbg", "int-"), "mem_summary": ("", "int-"),
    "mem_safety": ("", "int-"), "mem_join": ("", "int-"), "mem_status_mode": ("", "int-"),
    "corelog": ("core_log", "int-"), "sip_parser_log_oneline": ("", "int-"),
    "sip_parser_log": ("", "int-"), "sip_parser_mode": ("", "int-"), "sip_warning": ("", "int"),
    "server_signature": ("", "int"), "server_header": ("", "str"), "user_agent_header": ("", "str"),
    "reply_to_via": ("", "int"), "user": ("uid", "id/str"), "group": ("gid", "id/str"),
    "chroot": ("", "id/str"), "workdir": ("wdir", "id/str"), "rundir": ("run_dir", "id/str"),
    "mhomed": ("", "int"), "disable_tcp": ("", "int"), "tcp_children": ("", "int"),
    "tcp_accept_aliases": ("", "int"), "tcp_accept_unique": ("", "int"),
    "tcp_send_timeout": ("", "int-"), "tcp_connect_timeout": ("", "int-"),
    "tcp_connection_lifetime": ("", "int-"), "tcp_connection_match": ("", "int"),
    "tcp_poll_method": ("", "id/str"), "tcp_max_connections": ("", "int"),
    "tls_max_connections": ("", "int"), "tcp_no_connect": ("", "int"),
    "tcp_source_ipv4": ("", "ipv4"), "tcp_source_ipv6": ("", "ipv6"), "tcp_fd_cache": ("", "int"),
    "tcp_buf_write": ("tcp_async", "int"), "tcp_conn_wq_max": ("", "int"), "tcp_wq_max": ("", "int"),
    "tcp_rd_buf_size": ("", "int"), "tcp_wq_blk_size": ("", "int"), "tcp_defer_accept": ("", "int"),
    "tcp_delayed_ack": ("", "int"), "tcp_syncnt": ("", "int"), "tcp_linger2": ("", "int"),
    "tcp_keepalive": ("", "int"), "tcp_keepidle": ("", "int"), "tcp_keepintvl": ("", "int"),
    "tcp_keepcnt": ("", "int"), "tcp_crlf_ping": ("", "int"), "tcp_accept_no_cl": ("", "int"),
    "tcp_accept_hep3": ("", "int"), "tcp_accept_haproxy": ("", "int"), "tcp_clone_rcvbuf": ("", "int"),
    "tcp_reuse_port": ("", "int"), "tcp_wait_data": ("", "int-"), "tcp_script_mode": ("", "int-"),
    "disable_tls": ("tls_disable", "int"), "enable_tls": ("tls_enable", "int"),
    "tls_port_no": ("tlslog tls_log", "int"), "tls_method": ("", "tls_method"), "tls_verify": ("", "int"),
    "tls_require_certificate": ("", "int"), "tls_certificate": ("", "str"), "tls_private_key": ("", "str"),
    "tls_ca_list": ("", "str"), "tls_handshake_timeout": ("", "int"), "tls_send_timeout": ("", "int"),
    "disable_sctp": ("", "int"), "enable_sctp": ("", "int"), "sctp_children": ("", "int"),
    "advertised_address": ("", "addr"), "advertised_port": ("", "int"),
    "disable_core_dump": ("", "int"), "open_files_limit": ("", "int"),
    "shm_mem_size": ("shm shm_mem", "int"), "shm_force_alloc": ("", "int"), "mlock_pages": ("", "int"),
    "real_time": ("", "int"), "rt_prio": ("", "int"), "rt_policy": ("", "int"),
    "rt_timer1_prio": ("rt_fast_timer_prio rt_ftimer_prio", "int"),
    "rt_timer1_policy": ("rt_ftimer_policy", "int"), "rt_timer2_prio": ("rt_stimer_prio", "int"),
    "rt_timer2_policy": ("rt_stimer_policy", "int"), "mcast_loopback": ("", "int"),
    "mcast_ttl": ("", "int"), "mcast": ("", "id/str"), "tos": ("", "id/int"),
    "pmtu_discovery": ("", "int"), "exit_timeout": ("ser_kill_timeout", "int"),
    "max_while_loops": ("", "int"), "pv_buffer_size": ("", "int"), "pv_buffer_slots": ("", "int"),
    "pv_cache_limit": ("", "int"), "pv_cache_action": ("", "int"),
    "http_reply_parse": ("http_reply_hack", "int"), "version_table": ("", "str"),
    "verbose_startup": ("", "int"), "server_id": ("", "int"), "route_locks_size": ("", "int"),
    "wait_worker1_mode": ("", "int"), "wait_worker1_time": ("", "int"),
    "wait_worker1_usleep": ("", "int"), "received_route_mode": ("", "int-"),
    "max_recursive_level": ("", "int"), "max_branches": ("", "int"), "latency_cfg_log": ("", "int-"),
    "latency_log": ("", "int-"), "latency_limit_db": ("", "int"), "latency_limit_action": ("", "int"),
    "latency_limit_cfg": ("", "int"), "uri_host_extra_chars": ("", "str"),
    "hdr_name_extra_chars": ("", "str"), "msg_time": ("", "int"), "onsend_route_reply": ("", "int"),
    "udp_mtu": ("", "int"), "udp_mtu_try_proto": ("", "proto"), "udp4_raw": ("", "int-"),
    "udp4_raw_mtu": ("", "int"), "udp4_raw_ttl": ("", "int"), "local_rport": ("", "int"),
}

# force_rport|add_rport and udp_mtu_try_proto are both a core action (their keyword token wins in
# RESERVED) and a core parameter (the grammar accepts those tokens before `=` too)
CORE_PARAMS["force_rport"] = ("add_rport", "int")

# spelling -> canonical core parameter name
PARAM_SPELLINGS = {}
for _canon, (_others, _kind) in CORE_PARAMS.items():
    for _w in [_canon] + _others.split():
        PARAM_SPELLINGS[_w] = _canon

# spelling -> token type (keywords first, core params do not shadow them)
RESERVED = {}
for _tok, _words in KEYWORDS.items():
    for _w in _words.split():
        RESERVED[_w] = _tok
for _w in PARAM_SPELLINGS:
    RESERVED.setdefault(_w, "CORE_PARAM")

# canonical core-action name for each action token (the AST uses these names)
ACTION_NAMES = {
    "FORWARD": "forward", "FORWARD_TCP": "forward_tcp", "FORWARD_UDP": "forward_udp",
    "FORWARD_TLS": "forward_tls", "FORWARD_SCTP": "forward_sctp", "LOG_TOK": "log", "ERROR": "error",
    "EXEC": "exec", "SETFLAG": "setflag", "RESETFLAG": "resetflag", "ISFLAGSET": "isflagset",
    "SETAVPFLAG": "setavpflag", "RESETAVPFLAG": "resetavpflag", "ISAVPFLAGSET": "isavpflagset",
    "SET_HOST": "rewritehost", "SET_HOSTPORT": "rewritehostport",
    "SET_HOSTPORTTRANS": "rewritehostporttrans", "SET_USER": "rewriteuser",
    "SET_USERPASS": "rewriteuserpass", "SET_PORT": "rewriteport", "SET_URI": "rewriteuri",
    "REVERT_URI": "revert_uri", "PREFIX": "prefix", "STRIP": "strip", "STRIP_TAIL": "strip_tail",
    "SET_USERPHONE": "userphone", "REMOVE_BRANCH": "remove_branch", "CLEAR_BRANCHES": "clear_branches",
    "FORCE_RPORT": "force_rport", "ADD_LOCAL_RPORT": "add_local_rport",
    "FORCE_TCP_ALIAS": "force_tcp_alias", "UDP_MTU_TRY_PROTO": "udp_mtu_try_proto",
    "SET_ADV_ADDRESS": "set_advertised_address", "SET_ADV_PORT": "set_advertised_port",
    "FORCE_SEND_SOCKET": "force_send_socket", "SET_FWD_NO_CONNECT": "set_forward_no_connect",
    "SET_RPL_NO_CONNECT": "set_reply_no_connect", "SET_FWD_CLOSE": "set_forward_close",
    "SET_RPL_CLOSE": "set_reply_close", "CFG_SELECT": "cfg_select", "CFG_RESET": "cfg_reset",
}

PROTO_NUMBERS = {"udp": 1, "tcp": 2, "tls": 3, "sctp": 4, "ws": 5, "wss": 6}
