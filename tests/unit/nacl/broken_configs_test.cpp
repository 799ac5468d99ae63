// One broken configuration per error rule of the language reference (and
// the syntax errors), each with the exact first error: line, column, message.
// The message is part of naclc's interface, so it is tested as text.
#include "nacl/front.hpp"

#include <gtest/gtest.h>

namespace {

struct BrokenConfig {
    const char* name;
    const char* source;
    uint32_t line;
    uint32_t column;
    const char* message;
};

const BrokenConfig kCases[] = {
    {"unexpected_character", "x: 1\ny: $\n", 2, 4, "unexpected character `$`"},
    {"unterminated_string", "x: \"abc\n", 1, 4, "this string has no closing `\"` on its line"},
    {"unterminated_comment", "x: 1\n/* no end\n", 2, 1, "this `/*` comment is never closed with `*/`"},
    {"unknown_escape", "x: \"a\\qb\"\n", 1, 6, "unknown escape `\\q` in a string"},
    {"ipv4_byte_too_large", "x: 300.1.1.1\n", 1, 4, "`300.1.1.1` is not an IPv4 address"},
    {"dotted_not_four_parts", "x: 1.2.3\n", 1, 4, "`1.2.3` is not an IPv4 address"},
    {"bad_ipv6", "x: 1::2::3\n", 1, 4, "`1::2::3` is not an IPv6 address"},
    {"prefix_too_long", "x: 10.0.0.0/33\n", 1, 13, "a prefix length of an IPv4 address must be at most 32"},
    {"ipv6_prefix_too_long", "x: 2001:db8::/129\n", 1, 15,
     "a prefix length of an IPv6 address must be at most 128"},
    {"number_too_large", "x: 99999999999999999999999\n", 1, 4,
     "the number `99999999999999999999999` is too large"},
    {"two_integers", "x: 10 20\n", 1, 7,
     "expected a definition (`Type name value`, `name: value` or `Kind::Subtype name { ... }`) after `10`, "
     "found `20`"},
    {"missing_value_after_colon", "Iface eth0 {\n  index: ,\n}\n", 2, 10,
     "expected a value after `:`, found `,`"},
    {"missing_comma_in_object", "Iface eth0 {\n  index: 0\n  address: 10.0.0.1\n}\n", 3, 3,
     "expected `,` or `}` after `0`, found `address`"},
    {"missing_close_bracket", "x: [1, 2\n", 1, 9, "expected `,` or `]` after `2`, found the end of the file"},
    {"if_without_parenthesis", "Filter::IP f {\n  if ip.ttl == 1 { drop }\n  accept\n}\n", 2, 6,
     "expected `(` after `if`, found `ip`"},
    {"missing_comparison_operator", "Filter::IP f {\n  if (ip.ttl) { drop }\n  accept\n}\n", 2, 13,
     "expected a comparison operator (==, !=, <, >, <=, >=, in) after `ttl`, found `)`"},
    {"missing_close_brace_at_end", "Filter::IP f {\n  accept\n", 2, 9,
     "expected a statement or `}` after `accept`, found the end of the file"},
    {"nesting_too_deep",
     "x: "
     "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]"
     "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
     1, 104, "brackets are nested too deeply (more than 100 levels)"},
    {"too_many_nots",
     "Filter::IP f {\n  if (not not not not not not not not not not not not not not not not not not not not "
     "not not not not not not not not not not not not not not not not not not not not not not not not not "
     "not not not not not not not not not not not not not not not not not not not not not not not not not "
     "not not not not not not not not not not not not not not not not not not not not not not not not not "
     "not not not not not not ip.ttl == 1) { drop }\n  accept\n}\n",
     2, 407, "too many `not` in a row (more than 100)"},
    {"empty_range", "x: 20-10\n", 1, 4, "the range `20-10` is empty"},
    {"range_mixed_kinds", "x: 1-10.0.0.1\n", 1, 4, "a range needs two numbers or two IPv4 addresses"},
    {"range_of_names", "x: a - b\n", 1, 4, "a range needs two numbers or two IPv4 addresses"},
    {"invalid_utf8",
     "x: \"caf\xe9"
     "\"\n",
     1, 8, "this file is not valid UTF-8 here"},
    {"function_without_name", "Filter::IP {\n  accept\n}\n", 1, 12, "expected a name after `IP`, found `{`"},
    {"else_without_if", "Filter::IP f {\n  else { drop }\n  accept\n}\n", 2, 3,
     "expected a statement or `}` after `{`, found `else`"},
    {"stray_close_brace", "x: 1\n}\n", 2, 1,
     "expected a definition (`Type name value`, `name: value` or `Kind::Subtype name { ... }`) after `1`, "
     "found `}`"},
    {"statement_expected", "Filter::IP f {\n  10.0.0.1\n}\n", 2, 3,
     "expected a statement or `}` after `{`, found `10.0.0.1`"},
    {"duplicate_name", "x: 1\nx: 2\n", 2, 1, "`x` is defined twice"},
    {"reserved_name", "tcp: 5\n", 1, 1, "`tcp` cannot be used as a name"},
    {"reserved_name_any_case", "ICMP: 5\n", 1, 1, "`ICMP` cannot be used as a name"},
    {"unknown_type", "Ifce eth0 { index: 0 }\n", 1, 1, "unknown type `Ifce`"},
    {"function_needs_subtype", "Filter f { accept }\n", 1, 1,
     "a function needs a subtype: `Filter::IP f { ... }`"},
    {"unknown_function_kind", "Filtr::IP f { accept }\n", 1, 1, "unknown function kind `Filtr`"},
    {"unknown_function_subtype", "Filter::SCTP f { accept }\n", 1, 9, "unknown function subtype `SCTP`"},
    {"member_of_undefined", "eth9.address: 10.0.0.1\n", 1, 1, "there is no element named `eth9`"},
    {"member_already_set",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\neth0.address: 10.0.0.2\n", 2, 6,
     "`eth0.address` is already set"},
    {"member_below_missing",
     "Gateway gw { r1: { net: 10.0.0.0/8, iface: eth0 } }\nIface eth0 { index: 0, address: 10.0.0.1, "
     "netmask: 255.255.255.0 }\ngw.r9.nexthop: 10.0.0.254\n",
     3, 4, "`gw` has no member `r9`"},
    {"member_of_function", "Filter::IP f { accept }\nf.x: 1\n", 2, 3,
     "`f` is a function; functions have no members"},
    {"member_through_reference",
     "base: { index: 0, address: 10.0.0.1, netmask: 255.0.0.0 }\nIface eth0 base\neth0.mtu: 1400\n", 3, 6,
     "`eth0` refers to `base`; its members cannot be set through it"},
    {"member_of_number", "x: 5\nx.y: 1\n", 2, 3, "`x` is a number, it has no members"},
    {"reference_cycle", "a: b\nb: a\n", 1, 1, "reference cycle: `a` -> `b` -> `a`"},
    {"reference_cycle_in_list", "a: [1, b]\nb: [a]\n", 1, 1, "reference cycle: `a` -> `b` -> `a`"},
    {"self_reference", "a: [a]\n", 1, 1, "reference cycle: `a` -> `a`"},
    {"undefined_name", "Iface eth0 { index: 0, address: nowhere, netmask: 255.255.255.0 }\n", 1, 33,
     "`nowhere` is not defined"},
    {"missing_member_in_path", "x: { a: 1 }\ny: [x.b]\nz: y\n", 2, 7, "`x` has no member `b`"},
    {"iface_unknown_key",
     "Iface eth0 {\n  index: 0,\n  adress: 10.0.0.1,\n  address: 10.0.0.1,\n  netmask: 255.255.255.0\n}\n", 3,
     3, "unknown key `adress` in Iface `eth0`"},
    {"iface_missing_index", "Iface eth0 { address: 10.0.0.1, netmask: 255.255.255.0 }\n", 1, 7,
     "Iface `eth0` has no `index`"},
    {"iface_index_and_mac",
     "Iface eth0 { index: 0, mac: \"c0:01:0a:00:00:2a\", address: 10.0.0.1, netmask: 255.255.255.0 }\n", 1,
     24, "Iface `eth0` sets both `index` and `mac`"},
    {"iface_bad_mac", "Iface eth0 { index: \"c0:01:0a\", address: 10.0.0.1, netmask: 255.255.255.0 }\n", 1,
     21, "`index` of Iface `eth0` must be a MAC address string such as \"c0:01:0a:00:00:2a\""},
    {"iface_vlan_out_of_range",
     "Iface eth0 { index: 0, vlan: 4095, address: 10.0.0.1, netmask: 255.255.255.0 }\n", 1, 30,
     "`vlan` of Iface `eth0` must be between 1 and 4094, not 4095"},
    {"iface_dhcp_with_address", "Iface eth0 { index: 0, config: dhcp, address: 10.0.0.1 }\n", 1, 38,
     "`address` cannot be set on Iface `eth0`: it uses `dhcp`"},
    {"iface_static_needs_address", "Iface eth0 { index: 0 }\n", 1, 7,
     "Iface `eth0` needs `address` and `netmask`"},
    {"iface_vlan_needs_netmask", "Iface eth0 { index: 0, vlan: 10, address: 10.0.0.1 }\n", 1, 7,
     "Iface `eth0` needs `netmask`"},
    {"iface_netmask_not_contiguous", "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.0.255.0 }\n", 1,
     52, "255.0.255.0 is not a netmask"},
    {"iface_ipv6_address", "Iface eth0 { index: 0, address: 2001:db8::1, netmask: 255.255.255.0 }\n", 1, 33,
     "`address` of Iface `eth0` must be an IPv4 address; IPv6 is not supported here"},
    {"iface_buffer_limit_on_vlan",
     "Iface eth0 { index: 0, vlan: 10, address: 10.0.0.1, netmask: 255.255.255.0, buffer_limit: 100 }\n", 1,
     77, "`buffer_limit` cannot be set on a VLAN Iface"},
    {"iface_same_nic",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nIface eth1 { index: 0, address: "
     "10.1.0.1, netmask: 255.255.255.0 }\n",
     2, 7, "Iface `eth1` uses NIC 0, like Iface `eth0`"},
    {"iface_same_vlan",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nIface v1 { index: 0, vlan: 10, "
     "address: 10.2.0.1, netmask: 255.255.255.0 }\nIface v2 { index: 0, vlan: 10, address: 10.3.0.1, "
     "netmask: 255.255.255.0 }\n",
     3, 7, "Iface `v2` uses NIC 0 with VLAN 10, like Iface `v1`"},
    {"iface_unknown_config",
     "Iface eth0 { index: 0, config: dhcpp, address: 10.0.0.1, netmask: 255.0.0.0 }\n", 1, 32,
     "`dhcpp` is not a valid Iface config"},
    {"iface_masquerade_not_bool",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0, masquerade: yes }\n", 1, 79,
     "`masquerade` of Iface `eth0` must be `true` or `false`, not the name `yes`"},
    {"iface_mtu_out_of_range",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0, mtu: 70000 }\n", 1, 72,
     "`mtu` of Iface `eth0` must be between 68 and 65535, not 70000"},
    {"key_set_twice", "Iface eth0 { index: 0, index: 1, address: 10.0.0.1, netmask: 255.255.255.0 }\n", 1, 24,
     "`index` is set twice in Iface `eth0`"},
    {"iface_value_not_object", "Iface eth0 5\n", 1, 12,
     "Iface `eth0` must be an object { key: value, ... }, not a number"},
    {"iface_index_not_number", "Iface eth0 { index: 10.0.0.1, address: 10.0.0.1, netmask: 255.255.255.0 }\n",
     1, 21, "`index` of Iface `eth0` must be a number, not an IPv4 address"},
    {"second_gateway",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nGateway a { r: { net: 10.0.0.0/24, "
     "iface: eth0 } }\nGateway b { r: { net: 10.0.0.0/24, iface: eth0 } }\n",
     3, 1, "only one Gateway is allowed in a configuration"},
    {"route_missing_netmask",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nGateway gw { r: { net: 10.0.0.0, "
     "iface: eth0 } }\n",
     2, 19, "route `r` needs a `netmask`"},
    {"route_host_bits",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nGateway gw { r: { net: 10.0.0.1, "
     "netmask: 255.255.255.0, iface: eth0 } }\n",
     2, 24, "10.0.0.1 has host bits set for /24"},
    {"route_iface_is_function",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f { accept }\nGateway "
     "gw { r: { net: 10.0.0.0/24, iface: f } }\n",
     3, 44, "`f` is a function, not an Iface"},
    {"route_iface_undefined",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nGateway gw { r: { net: "
     "10.0.0.0/24, iface: eth7 } }\n",
     2, 44, "there is no Iface named `eth7`"},
    {"route_net_and_host",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nGateway gw { r: { net: "
     "10.0.0.0/24, host: 10.0.0.1, iface: eth0 } }\n",
     2, 37, "route `r` sets both `net` and `host`"},
    {"gateway_unknown_option",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nGateway gw { r: { net: "
     "10.0.0.0/24, iface: eth0 }, send_time_exceded: true }\n",
     2, 52, "unknown key `send_time_exceded` in Gateway `gw`"},
    {"route_unknown_key",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nGateway gw { r: { net: "
     "10.0.0.0/24, iface: eth0, nxthop: 10.0.0.254 } }\n",
     2, 50, "unknown key `nxthop` in route `r`"},
    {"route_missing_iface",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nGateway gw { r: { net: 10.0.0.0/24 "
     "} }\n",
     2, 14, "route `r` needs an `iface`"},
    {"gateway_not_object", "Gateway gw 5\n", 1, 12,
     "a Gateway is an object of routes and options, or a list of routes, not a number"},
    {"route_netmask_disagrees",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nGateway gw { r: { net: "
     "10.0.0.0/24, netmask: 255.255.0.0, iface: eth0 } }\n",
     2, 46, "the netmask 255.255.0.0 disagrees with the prefix /24"},
    {"second_conntrack", "Conntrack a { limit: 10 }\nConntrack b { limit: 10 }\n", 2, 1,
     "only one Conntrack is allowed in a configuration"},
    {"conntrack_reserve_over_limit", "Conntrack ct { limit: 10, reserve: 20 }\n", 1, 36,
     "`reserve` (20) is larger than `limit` (10)"},
    {"conntrack_unknown_timeout_state", "Conntrack ct { timeout: { establised: { tcp: 10 } } }\n", 1, 27,
     "unknown key `establised` in the Conntrack timeouts"},
    {"conntrack_unknown_key", "Conntrack ct { limt: 10 }\n", 1, 16, "unknown key `limt` in Conntrack `ct`"},
    {"conntrack_timeout_zero", "Conntrack ct { timeout: { established: { tcp: 0 } } }\n", 1, 47,
     "`tcp` of timeout.established must be between 1 and 4294967295, not 0"},
    {"conntrack_stateful_not_bool", "Conntrack ct { stateful_tcp: 1 }\n", 1, 30,
     "`stateful_tcp` of Conntrack `ct` must be `true` or `false`, not a number"},
    {"second_load_balancer_same_layer",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nIface eth1 { index: 1, address: "
     "10.1.0.1, netmask: 255.255.255.0 }\nLoad_balancer lb {\n  layer: tcp,\n  clients: { iface: eth0, port: "
     "80 },\n  servers: { iface: eth1, algorithm: round_robin, pool: [ { address: 10.1.0.2, port: 80 } ] "
     "}\n}\nLoad_balancer lb2 {\n  layer: tcp,\n  clients: { iface: eth0, port: 80 },\n  servers: { iface: "
     "eth1, algorithm: round_robin, pool: [ { address: 10.1.0.2, port: 80 } ] }\n}\n",
     8, 15, "a second Load_balancer for layer `tcp`"},
    {"load_balancer_layer_udp",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nIface eth1 { index: 1, address: "
     "10.1.0.1, netmask: 255.255.255.0 }\nLoad_balancer lb {\n  layer: udp,\n  clients: { iface: eth0, port: "
     "80 },\n  servers: { iface: eth1, algorithm: round_robin, pool: [ { address: 10.1.0.2, port: 80 } ] "
     "}\n}\n",
     4, 10, "`udp` is not a valid load balancer layer (only `tcp` is supported)"},
    {"load_balancer_empty_pool",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nIface eth1 { index: 1, address: "
     "10.1.0.1, netmask: 255.255.255.0 }\nLoad_balancer lb {\n  layer: tcp,\n  clients: { iface: eth0, port: "
     "80 },\n  servers: { iface: eth1, algorithm: round_robin, pool: [] }\n}\n",
     6, 57, "the pool of Load_balancer `lb` is empty"},
    {"pool_entry_missing_port",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nIface eth1 { index: 1, address: "
     "10.1.0.1, netmask: 255.255.255.0 }\nLoad_balancer lb {\n  layer: tcp,\n  clients: { iface: eth0, port: "
     "80 },\n  servers: { iface: eth1, algorithm: round_robin, pool: [ { address: 10.1.0.2 } ] }\n}\n",
     6, 59, "a pool entry needs a `port`"},
    {"load_balancer_unknown_algorithm",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nIface eth1 { index: 1, address: "
     "10.1.0.1, netmask: 255.255.255.0 }\nLoad_balancer lb {\n  layer: tcp,\n  clients: { iface: eth0, port: "
     "80 },\n  servers: { iface: eth1, algorithm: round_robbin, pool: [ { address: 10.1.0.2, port: 80 } ] "
     "}\n}\n",
     6, 38, "`round_robbin` is not a valid load balancing algorithm"},
    {"clients_missing_iface",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nIface eth1 { index: 1, address: "
     "10.1.0.1, netmask: 255.255.255.0 }\nLoad_balancer lb {\n  layer: tcp,\n  clients: { port: 80 },\n  "
     "servers: { iface: eth1, algorithm: round_robin, pool: [ { address: 10.1.0.2, port: 80 } ] }\n}\n",
     5, 12, "the clients of Load_balancer `lb` need an `iface`"},
    {"clients_iface_not_iface",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nIface eth1 { index: 1, address: "
     "10.1.0.1, netmask: 255.255.255.0 }\nt: 5\nLoad_balancer lb {\n  layer: tcp,\n  clients: { iface: t, "
     "port: 80 },\n  servers: { iface: eth1, algorithm: round_robin, pool: [ { address: 10.1.0.2, port: 80 } "
     "] }\n}\n",
     6, 21, "`iface` of the clients of Load_balancer `lb` must be the name of an Iface, not a number"},
    {"second_syslog", "Syslog a { address: 10.0.0.9 }\nSyslog b { address: 10.0.0.9 }\n", 2, 1,
     "only one Syslog is allowed in a configuration"},
    {"syslog_missing_address", "Syslog s { port: 514 }\n", 1, 8, "Syslog `s` needs an `address`"},
    {"syslog_port_out_of_range", "Syslog s { address: 10.0.0.9, port: 70000 }\n", 1, 37,
     "`port` of Syslog `s` must be between 1 and 65535, not 70000"},
    {"timer_interval_zero", "Timer t { interval: 0, data: [stats] }\n", 1, 21,
     "`interval` of Timer `t` must be between 1 and 4294967295, not 0"},
    {"timer_unknown_data", "Timer t { interval: 5, data: [stats, memroy] }\n", 1, 38,
     "`memroy` is not a valid Timer data"},
    {"timer_missing_data", "Timer t { interval: 5 }\n", 1, 7, "Timer `t` needs `data`: what to report"},
    {"function_empty", "Filter::IP f {\n}\n", 1, 14, "Filter `f` is empty"},
    {"recursion_self", "Filter::IP f {\n  f\n  accept\n}\n", 2, 3, "`f` calls itself"},
    {"recursion_mutual", "Filter::IP a {\n  b\n  accept\n}\nFilter::IP b {\n  a\n  accept\n}\n", 2, 3,
     "recursive call: `a` -> `b` -> `a`"},
    {"call_undefined",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  acept\n  "
     "accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f }\n",
     3, 3, "`acept` is not an action or a function"},
    {"call_not_a_function",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  eth0\n  "
     "accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f }\n",
     3, 3, "`eth0` is an Iface; only functions can be called"},
    {"call_with_arguments",
     "Filter::IP g { accept }\nIface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 "
     "}\nFilter::IP f {\n  g(1)\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: "
     "255.255.255.0, input: f }\n",
     4, 5, "a function call takes no arguments"},
    {"filter_calls_nat",
     "Nat::IP n { dnat(10.0.0.9) }\nIface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 "
     "}\nFilter::IP f {\n  n\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, "
     "input: f }\n",
     4, 3, "a Filter function cannot call the Nat function `n`"},
    {"tcp_calls_udp", "Filter::UDP u { accept }\nFilter::TCP t {\n  u\n  accept\n}\n", 3, 3,
     "a Filter::TCP function cannot call `u`, a Filter::UDP"},
    {"nested_nat_in_filter",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  Nat::TCP { "
     "dnat(10.0.0.9) }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, "
     "input: f }\n",
     3, 3, "a Filter function cannot contain a Nat block"},
    {"nested_udp_in_tcp", "Filter::TCP t {\n  Filter::UDP { drop }\n  accept\n}\n", 2, 11,
     "a Filter::TCP function cannot contain a Filter::UDP block"},
    {"drop_in_nat", "Nat::IP n {\n  drop\n}\n", 2, 3, "`drop` is a Filter action"},
    {"dnat_in_filter",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  dnat(10.0.0.9)\n "
     " accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f }\n",
     3, 3, "`dnat` is a Nat action"},
    {"tcp_property_in_ip_function",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (tcp.dport == "
     "22) { drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f "
     "}\n",
     3, 7, "`tcp.dport` can only be tested in a TCP function"},
    {"udp_property_in_tcp_function", "Filter::TCP t {\n  if (udp.dport == 53) { drop }\n  accept\n}\n", 2, 7,
     "`udp.dport` can only be tested in a UDP function"},
    {"unknown_property",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (ip.sadr == "
     "10.0.0.1) { drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, "
     "input: f }\n",
     3, 7, "`ip.sadr` is not a packet property"},
    {"two_properties",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (ip.saddr == "
     "ip.daddr) { drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, "
     "input: f }\n",
     3, 7, "this compares two packet properties; one side must be a value"},
    {"two_values",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (10.0.0.1 == "
     "10.0.0.2) { drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, "
     "input: f }\n",
     3, 7, "this compares two values; one side must be a packet property"},
    {"in_with_scalar_right",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (ip.saddr in "
     "10.0.0.1) { drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, "
     "input: f }\n",
     3, 19, "`in` needs a set on the right (a list, a range, a prefix or an object), not an IPv4 address"},
    {"in_with_property_right",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (10.0.0.1 in "
     "ip.saddr) { drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, "
     "input: f }\n",
     3, 19,
     "`in` needs a set on the right (a list, a range, a prefix or an object), not the packet property "
     "`ip.saddr`"},
    {"port_compared_with_address", "Filter::TCP t {\n  if (tcp.dport == 10.0.0.1) { drop }\n  accept\n}\n", 2,
     20, "`tcp.dport` is a number; it cannot be compared with an IPv4 address"},
    {"address_compared_with_port_name",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (ip.saddr == "
     "ssh) { drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f "
     "}\n",
     3, 19, "`ip.saddr` is an IP address; it cannot be compared with a port (`ssh`)"},
    {"protocol_compared_with_port_name",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (ip.protocol "
     "== ssh) { drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, "
     "input: f }\n",
     3, 22, "`ssh` is a port; it cannot be compared with `ip.protocol`"},
    {"value_out_of_range", "Filter::TCP t {\n  if (tcp.dport == 70000) { drop }\n  accept\n}\n", 2, 20,
     "70000 is out of range for `tcp.dport` (0-65535)"},
    {"ordering_on_ct_state",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (ct.state < "
     "established) { drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, "
     "input: f }\n",
     3, 16, "`<` cannot compare `ct.state`; use `==`, `!=` or `in`"},
    {"ordering_with_range", "Filter::TCP t {\n  if (tcp.dport < 1-5) { drop }\n  accept\n}\n", 2, 19,
     "`<` needs a single value, not a range"},
    {"equals_with_list", "Filter::TCP t {\n  if (tcp.dport == [22, 80]) { drop }\n  accept\n}\n", 2, 20,
     "`==` compares with a single value, not a list"},
    {"ct_state_wrong_value",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (ct.state == "
     "syn) { drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f "
     "}\n",
     3, 19, "`ct.state` is a connection state, not a TCP flag"},
    {"iif_not_an_iface",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (iif == "
     "10.0.0.1) { drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, "
     "input: f }\n",
     3, 14, "`iif` is compared with the name of an Iface, not an IPv4 address"},
    {"undefined_name_in_condition",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (ip.saddr in "
     "blocklist) { drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, "
     "input: f }\n",
     3, 19, "`blocklist` is not defined"},
    {"set_member_wrong_type", "Filter::TCP t {\n  if (tcp.dport in [22, 10.0.0.1]) { drop }\n  accept\n}\n",
     2, 25, "`tcp.dport` is a number; it cannot be compared with an IPv4 address"},
    {"log_with_number",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  log(42)\n  "
     "accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f }\n",
     3, 7, "`log` prints strings and packet properties, not a number"},
    {"syslog_unknown_severity",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  syslog(warn, "
     "\"x\")\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f }\n",
     3, 10, "`warn` is not a valid syslog severity"},
    {"syslog_without_message",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  syslog(info)\n  "
     "accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f }\n",
     3, 3, "`syslog` needs a severity and a message"},
    {"dnat_three_arguments", "Nat::TCP n {\n  dnat(10.0.0.9, 80, 90)\n}\n", 2, 3,
     "`dnat` takes an address, a port, or an address and a port"},
    {"dnat_port_in_ip_nat", "Nat::IP n {\n  dnat(10.0.0.9, 8080)\n}\n", 2, 18,
     "a port can only be rewritten in a Nat::TCP or Nat::UDP function"},
    {"dnat_port_out_of_range", "Nat::TCP n {\n  dnat(10.0.0.9, 0)\n}\n", 2, 18,
     "the port of `dnat` must be between 1 and 65535, not 0"},
    {"function_named_like_action", "Filter::IP drop {\n  accept\n}\n", 1, 12,
     "`drop` is an action and cannot name a function"},
    {"accept_with_arguments",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  "
     "accept(1)\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f }\n",
     3, 10, "`accept` takes no arguments"},
    {"nested_empty",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  Filter::TCP { "
     "}\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f }\n",
     3, 15, "this nested function is empty"},
    {"log_without_arguments",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  log()\n  "
     "accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f }\n",
     3, 3, "`log` needs something to print"},
    {"chain_function_not_ip",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::TCP t { accept }\nIface "
     "eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: t }\n",
     3, 74, "`t` is a Filter::TCP; only Filter::IP functions can be put on a chain"},
    {"chain_filter_without_verdict",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (ip.ttl == 1) "
     "{ drop }\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, input: f }\n",
     5, 74, "Filter `f` is on the input chain of `eth1` but does not end with `accept` or `drop`"},
    {"nat_on_forward_chain",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nNat::IP n { dnat(10.0.0.9) "
     "}\nGateway gw { r: { net: 10.0.0.0/24, iface: eth0 }, forward: n }\n",
     3, 61, "the forward chain runs Filters only; `n` is a Nat"},
    {"dnat_on_postrouting",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nNat::IP n { dnat(10.0.0.9) "
     "}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, postrouting: n }\n",
     3, 80, "`n` uses dnat, which cannot run on the postrouting chain of `eth1`"},
    {"snat_on_prerouting",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nNat::IP n { snat(10.0.0.9) "
     "}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, prerouting: n }\n",
     3, 79, "`n` uses snat, which cannot run on the prerouting chain of `eth1`"},
    {"oif_on_prerouting",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (oif == eth0) "
     "{ drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, prerouting: f "
     "}\n",
     6, 79, "`f` tests `oif`, which is not known on the prerouting chain of `eth1`"},
    {"iif_on_output",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nFilter::IP f {\n  if (iif == eth0) "
     "{ drop }\n  accept\n}\nIface eth1 { index: 1, address: 10.1.0.1, netmask: 255.255.255.0, output: f }\n",
     6, 75, "`f` tests `iif`, which is not known on the output chain of `eth1`"},
    {"chain_entry_not_function",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nIface eth1 { index: 1, address: "
     "10.1.0.1, netmask: 255.255.255.0, input: eth0 }\n",
     2, 74, "`eth0` is an Iface, not a function"},
    {"chain_entry_undefined",
     "Iface eth0 { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\nIface eth1 { index: 1, address: "
     "10.1.0.1, netmask: 255.255.255.0, input: [fw] }\n",
     2, 75, "there is no function named `fw`"},
    {"set_on_left_of_in", "Filter::TCP t {\n  if ([syn, ack] in tcp.flags) { drop }\n  accept\n}\n", 2, 7,
     "`in` needs a single value on the left, not a list"},
    {"ipv6_range", "x: 2001:db8::1-2001:db8::9\n", 1, 4, "a range needs two numbers or two IPv4 addresses"},
    {"has_flags_with_port", "Filter::TCP t {\n  if (ssh in tcp.flags) { drop }\n  accept\n}\n", 2, 7,
     "`tcp.flags` holds TCP flags, not a port"},
    {"single_equals_in_condition", "Filter::IP f {\n  if (ip.ttl = 1) { drop }\n  accept\n}\n", 2, 14,
     "unexpected character `=`"},
    {"elif_instead_of_else_if",
     "Filter::IP f {\n  if (ip.ttl == 1) { drop }\n  elif (ip.ttl == 2) { drop }\n  accept\n}\n", 3, 3,
     "`elif` is not a keyword of NaCl"},
    {"semicolon_after_statement", "Filter::IP f {\n  accept;\n}\n", 2, 9, "unexpected character `;`"},
};

class BrokenConfigTest : public testing::TestWithParam<BrokenConfig> {};

TEST_P(BrokenConfigTest, ReportsTheExpectedFirstError) {
    const BrokenConfig& c = GetParam();
    nacl::SourceFile file("test.nacl", c.source);
    nacl::Diagnostics diags;
    auto program = nacl::compile(file, diags);
    EXPECT_FALSE(program.has_value());
    const nacl::Diagnostic* first = nullptr;
    auto sorted = diags.sorted();
    for (auto& d : sorted) {
        if (d.severity == nacl::Severity::Error) {
            first = &d;
            break;
        }
    }
    ASSERT_NE(first, nullptr) << "no error reported";
    auto where = file.position(first->span.begin);
    EXPECT_EQ(where.line, c.line);
    EXPECT_EQ(where.column, c.column);
    EXPECT_EQ(first->message, c.message);
}

INSTANTIATE_TEST_SUITE_P(Table, BrokenConfigTest, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<BrokenConfig>& info) {
                             return std::string(info.param.name);
                         });

// `levels` functions, each calling the next twice: the last one's statements are copied 2^(levels - 1)
// times into the first once calls are expanded.
std::string doubling_calls(int levels) {
    std::string text = "Filter::IP top {\n  f0\n  accept\n}\n";
    for (int i = 0; i < levels; ++i) {
        text += "Filter::IP f" + std::to_string(i) + " {\n  if (ip.ttl == 1) { drop }\n";
        if (i + 1 < levels) text += "  f" + std::to_string(i + 1) + "\n  f" + std::to_string(i + 1) + "\n";
        text += "}\n";
    }
    return text;
}

TEST(CallExpansion, CopiesBeyondTheLimitAreAnErrorAtTheInnermostFunction) {
    // 40 levels would be 2^40 copies: before the limit, naclc ran out of memory expanding them.
    nacl::SourceFile file("test.nacl", doubling_calls(40));
    nacl::Diagnostics diags;
    EXPECT_FALSE(nacl::compile(file, diags).has_value());
    std::vector<const nacl::Diagnostic*> errors;
    auto sorted = diags.sorted();
    for (auto& d : sorted)
        if (d.severity == nacl::Severity::Error) errors.push_back(&d);
    ASSERT_EQ(errors.size(), 1u); // not once per caller
    // f21 calls f22 twice, each 786,428 statements expanded (2^18 x 3 - 4): 1,572,856 copies.
    EXPECT_EQ(errors[0]->message, "the calls in `f21` copy more than 1,000,000 statements into it");
    auto where = file.position(errors[0]->span.begin);
    EXPECT_EQ(where.line, 5u + 5u * 21u);
    EXPECT_EQ(where.column, 12u);
}

TEST(CallExpansion, CopiesWithinTheLimitCompile) {
    nacl::SourceFile file("test.nacl", doubling_calls(18)); // 786,424 statements copied into f0
    nacl::Diagnostics diags;
    EXPECT_TRUE(nacl::compile(file, diags).has_value());
}

TEST(BrokenConfigTable, HasAtLeastEightyCases) {
    EXPECT_GE(std::size(kCases), 80u);
}

} // namespace
