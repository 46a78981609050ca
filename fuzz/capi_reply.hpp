// capi_reply: fuzz_capi's REPLY, what a program would send next on a connection: a client its
// CONNECT, then the acks, AUTH continuations and PINGREQ; a server its CONNACK (or AUTH), the
// acks, SUBACK, UNSUBACK, PINGRESP, and sometimes a DISCONNECT. A reply is built from the facts
// of the last event (last_event, kept because the event's views die with the next call) and a
// script byte that picks among the options.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "capi_packet_builder.hpp"
#include "mqttconn.h"

namespace mqttconn::fuzz {

struct last_event {
  int type = 0;
  std::uint16_t id = 0;
  std::uint8_t qos = 0;
  std::size_t count = 0;
  bool empty_client_id = false;
  bool has_method = false;
  std::string method;
};

inline last_event last_event_of(const mqttconn_packet& ev) {
  last_event last;
  last.type = ev.type;
  if (ev.type >= MQTTCONN_PACKET_PUBLISH && ev.type <= MQTTCONN_PACKET_UNSUBACK) last.id = ev.packet_id;
  if (ev.type == MQTTCONN_PACKET_PUBLISH) last.qos = ev.qos;
  if (ev.type == MQTTCONN_PACKET_SUBSCRIBE) last.count = ev.subscription_count;
  if (ev.type == MQTTCONN_PACKET_UNSUBSCRIBE) last.count = ev.topic_filter_count;
  if (ev.type == MQTTCONN_PACKET_CONNECT) last.empty_client_id = ev.client_id.len == 0;
  if (ev.type == MQTTCONN_PACKET_CONNECT || ev.type == MQTTCONN_PACKET_AUTH) {
    const mqttconn_properties& pr = *ev.props;
    if (pr.present & MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_METHOD)) {
      last.has_method = true;
      last.method.assign(reinterpret_cast<const char*>(pr.authentication_method.ptr), pr.authentication_method.len);
    }
  }
  return last;
}

// Fills `p` with the reply to `last` for a connection in state `st` at level `v` (`level`: the
// level a client's CONNECT asks for), options from `r`; its properties go to `pr` and a SUBACK's
// or UNSUBACK's codes to `codes`, and it may view last.method. Returns how to send it (0 the
// per-kind function, 1 mqttconn_conn_send(), 2 mqttconn_conn_disconnect(conn, NULL)), or -1:
// no reply.
inline int plan_reply(const last_event& last, bool client, int st, int v, int level, std::uint8_t r,
                      mqttconn_packet& p, mqttconn_properties& pr, std::vector<std::uint8_t>& codes) {
  std::memset(&pr, 0, sizeof pr);
  pr.struct_size = sizeof pr;
  p = zeroed(0);
  if (v == MQTTCONN_V5) p.props = &pr;
  const auto ack = [&](int type) {
    p.type = type;
    p.packet_id = last.id;
    return r >> 7;
  };
  const auto with_method = [&] {
    pr.present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_AUTHENTICATION_METHOD);
    pr.authentication_method = {reinterpret_cast<const std::uint8_t*>(last.method.data()), last.method.size()};
  };
  const auto set = [&](int id) { pr.present |= MQTTCONN_PROP_BIT(id); };
  // The next packet of a QoS 1 or 2 flow, for either role (0 when `last` starts none).
  const int flow = last.type == MQTTCONN_PACKET_PUBLISH
                       ? (last.qos == 1 ? MQTTCONN_PACKET_PUBACK : last.qos == 2 ? MQTTCONN_PACKET_PUBREC : 0)
                   : last.type == MQTTCONN_PACKET_PUBREC ? MQTTCONN_PACKET_PUBREL
                   : last.type == MQTTCONN_PACKET_PUBREL ? MQTTCONN_PACKET_PUBCOMP
                                                         : 0;
  if (client) {
    if (st == MQTTCONN_STATE_IDLE) {
      p.type = MQTTCONN_PACKET_CONNECT;
      p.protocol_version = static_cast<std::uint8_t>(level);
      p.client_id = (r & 2) && level != MQTTCONN_V31 ? text("") : text("fuzz");
      p.clean_start = !(r & 8) || p.client_id.len == 0;
      p.keep_alive = 60;
      if (r & 1) set(MQTTCONN_PROP_AUTHENTICATION_METHOD), pr.authentication_method = text("SCRAM-SHA-1");
      if (r & 4) set(MQTTCONN_PROP_REQUEST_PROBLEM_INFORMATION), pr.request_problem_information = 0;
      if (r & 16) set(MQTTCONN_PROP_REQUEST_RESPONSE_INFORMATION), pr.request_response_information = 1;
      if (r & 32) set(MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM), pr.topic_alias_maximum = 10;
      if (r & 64) set(MQTTCONN_PROP_MAXIMUM_PACKET_SIZE), pr.maximum_packet_size = 128;
      return 0;
    }
    if (flow != 0) return ack(flow);
    if (last.type == MQTTCONN_PACKET_AUTH) {
      p.type = MQTTCONN_PACKET_AUTH;
      p.reason_code = 0x18;
      with_method();
      return 0;
    }
    p.type = MQTTCONN_PACKET_PINGREQ;
    return r & 1;
  }
  if (flow != 0) return ack(flow);
  switch (last.type) {
    case MQTTCONN_PACKET_CONNECT:
    case MQTTCONN_PACKET_AUTH:
      if (last.has_method && (r & 1) && st == MQTTCONN_STATE_CONNECTING) {
        p.type = MQTTCONN_PACKET_AUTH;
        p.reason_code = 0x18;
        with_method();
      } else if (st == MQTTCONN_STATE_CONNECTED) {
        p.type = MQTTCONN_PACKET_AUTH;
        with_method();
      } else {
        p.type = MQTTCONN_PACKET_CONNACK;
        p.reason_code = r & 4 ? (v == MQTTCONN_V5 ? 0x87 : 5) : 0;
        if (last.empty_client_id) {
          set(MQTTCONN_PROP_ASSIGNED_CLIENT_IDENTIFIER);
          pr.assigned_client_identifier = text("assigned-1");
        }
        if (last.has_method) with_method();
        if (r & 8) set(MQTTCONN_PROP_MAXIMUM_QOS), pr.maximum_qos = r & 16 ? 1 : 0;
        if (r & 32) set(MQTTCONN_PROP_RETAIN_AVAILABLE), pr.retain_available = 0;
        if (r & 64) set(MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM), pr.topic_alias_maximum = 3;
      }
      return 0;
    case MQTTCONN_PACKET_SUBSCRIBE:
    case MQTTCONN_PACKET_UNSUBSCRIBE:
      codes.assign(last.count, static_cast<std::uint8_t>(last.type == MQTTCONN_PACKET_SUBSCRIBE ? r & 1 : 0));
      p.reason_codes = {codes.data(), codes.size()};
      return ack(last.type + 1);
    case MQTTCONN_PACKET_PINGREQ:
      p.type = MQTTCONN_PACKET_PINGRESP;
      return r & 1;
    default: break;
  }
  if (!(r & 0x40)) return -1;
  p.type = MQTTCONN_PACKET_DISCONNECT;
  return r & 0x80 ? 2 : 0;
}

}  // namespace mqttconn::fuzz
