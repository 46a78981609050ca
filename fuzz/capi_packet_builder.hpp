// capi_packet_builder: mqttconn_packet values from fuzzer bytes (c_packet_builder), and the
// small helpers that go with them: the per-kind send function, a zeroed packet, a string view.
// Used by fuzz_capi and fuzz_batch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <vector>

#include "fuzz_support.hpp"
#include "mqttconn.h"

namespace mqttconn::fuzz {

// --- Packets from fuzzer bytes ------------------------------------------------------------

// Builds mqttconn_packet values from fuzzer bytes. Zero bytes make a plain valid packet; some
// choices leave the legal space (QoS 3, NULL views with a length, properties undefined or at
// 3.x, a short struct_size) and the library must refuse those with the documented code.
// Strings view the fuzzer's input or static tokens; arrays live in the builder, which outlives
// the connection (borrowed payloads must stay unchanged until written).
class c_packet_builder {
 public:
  mqttconn_packet make(int type, int version, byte_source& s) {
    s_ = &s;
    mqttconn_packet p;
    std::memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.type = type;
    const std::uint8_t f = u8();  // bit 0 raw packet id, 1 props, 2 will, 3 user, 4 password,
                                  // 5 dup, 6 retain, 7 leave the legal space
    const bool wild = f & 0x80;
    p.packet_id = f & 1 ? s.u16() : static_cast<std::uint16_t>(1 + u8());
    p.dup = f & 0x20 ? 1 : 0;
    p.retain = f & 0x40 ? (wild ? 0xFF : 1) : 0;
    p.qos = static_cast<std::uint8_t>(u8() % (wild ? 5 : 3));
    p.reason_code = reason(u8());
    p.session_present = u8() & 1;
    const std::uint8_t v = u8();
    p.protocol_version = static_cast<std::uint8_t>(wild && (v & 0x80) ? v & 7 : version);
    p.clean_start = !(v & 1);
    p.bridge = (v & 2) ? 1 : 0;
    p.keep_alive = static_cast<std::uint16_t>(60 * (v >> 2 & 3));
    p.client_id = str();
    if (f & 4) {
      p.has_will = 1;
      p.will_qos = static_cast<std::uint8_t>(u8() % (wild ? 4 : 3));
      p.will_retain = f & 0x40 ? 1 : 0;
      p.will_topic = str();
      p.will_payload = raw(u8());
      p.will_props = props(wild);
    }
    if (f & 8) p.has_username = 1, p.username = str();
    if (f & 16) p.has_password = 1, p.password = raw(u8());
    p.topic = str();
    p.payload = raw(u8());
    const std::uint8_t n = u8();
    if (type == MQTTCONN_PACKET_SUBSCRIBE) {
      auto& subs = subs_.emplace_back(wild ? n % 12 : 1 + n % 4);
      for (mqttconn_subscription& x : subs) {
        const std::uint8_t o = u8();
        x.topic_filter = str();
        x.qos = static_cast<std::uint8_t>(o & 3);
        if (!wild && x.qos == 3) x.qos = 2;
        x.no_local = o >> 2 & 1;
        x.retain_as_published = o >> 3 & 1;
        x.retain_handling = static_cast<std::uint8_t>(o >> 4 & 3);
        if (!wild && x.retain_handling == 3) x.retain_handling = 0;
      }
      p.subscriptions = subs.data();
      p.subscription_count = subs.size();
      if (wild && (n & 0x80)) p.subscriptions = nullptr;
    }
    if (type == MQTTCONN_PACKET_UNSUBSCRIBE) {
      auto& filters = filters_.emplace_back(wild ? n % 12 : 1 + n % 4);
      for (mqttconn_bytes& x : filters) x = str();
      p.topic_filters = filters.data();
      p.topic_filter_count = filters.size();
      if (wild && (n & 0x80)) p.topic_filters = nullptr;
    }
    if (type == MQTTCONN_PACKET_SUBACK || type == MQTTCONN_PACKET_UNSUBACK) {
      auto& codes = codes_.emplace_back(wild ? n % 12 : 1 + n % 4);
      for (std::uint8_t& c : codes) c = wild ? reason(u8()) : (u8() & 3) % 3;
      p.reason_codes = {codes.data(), codes.size()};
    }
    if (f & 2) p.props = props(wild);
    if (wild && (n & 0x40)) p.topic.ptr = nullptr;  // NULL with a length unless the topic is empty
    return p;
  }

 private:
  static constexpr const char* tokens[32] = {
      "a", "a/b", "sensors/room1/temp", "", "+", "#", "a/+/c", "a/#", "+/+", "$share/g/a/b", "$share/g/#",
      "$share/g", "$share//a", "$SYS/x", "/", "a//b", "sport/tennis/+", "client-1", "text/plain",
      "\xC3\xA9t\xC3\xA9", "\xEF\xBB\xBF", "\xF0\x9F\x98\x80", "\x01", "\x7F", "\xC2\x80", "\xEF\xBF\xBF",
      "\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80", "a+", "#/a", "SCRAM-SHA-1"};
  static constexpr std::uint8_t codes[24] = {0x00, 0x01, 0x02, 0x04, 0x10, 0x11, 0x18, 0x19,
                                             0x80, 0x81, 0x82, 0x83, 0x87, 0x8E, 0x8F, 0x90,
                                             0x91, 0x92, 0x93, 0x94, 0x95, 0x97, 0x99, 0x9E};

  std::uint8_t u8() { return s_->u8(); }
  std::uint8_t reason(std::uint8_t sel) { return sel & 0x80 ? u8() : codes[sel % 24]; }
  mqttconn_bytes raw(std::size_t n) {
    const mqttconn::bytes b = s_->take(n);
    return {b.data(), b.size()};
  }
  mqttconn_bytes str() {
    const std::uint8_t sel = u8();
    if (sel & 0x80) return raw(sel & 0x3F);
    const char* t = tokens[sel % 32];
    return {reinterpret_cast<const std::uint8_t*>(t), std::strlen(t)};
  }
  std::uint32_t num32() {
    static constexpr std::uint32_t u32s[8] = {0, 1, 60, 65535, 65536, 268435455, 268435456, 0xFFFFFFFF};
    const std::uint8_t t = u8();
    return t & 0x80 ? s_->u32() : u32s[t % 8];
  }

  // A property block: up to 7 properties chosen by id (any defined id; with `wild`, undefined
  // ids and out-of-range flag values too), user properties and subscription identifiers.
  const mqttconn_properties* props(bool wild) {
    static constexpr std::uint8_t ids[27] = {0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x11, 0x12, 0x13,
                                             0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1C, 0x1F, 0x21,
                                             0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A};
    mqttconn_properties& pr = props_.emplace_back();
    std::memset(&pr, 0, sizeof pr);
    pr.struct_size = sizeof pr;
    const std::uint8_t head = u8();
    for (int i = 0, n = head & 7; i < n; ++i) {
      const std::uint8_t sel = u8();
      const int id = wild && sel >= 0xF0 ? sel & 0x3F : ids[sel % 27];
      if (id < 64) pr.present |= MQTTCONN_PROP_BIT(id);
      const std::uint32_t v32 = num32();
      const auto v16 = static_cast<std::uint16_t>(v32 & 0xFFFF);
      const auto flag = static_cast<std::uint8_t>(wild ? v32 & 0xFF : v32 & 1);
      switch (id) {
        case 0x01: pr.payload_format_indicator = flag; break;
        case 0x02: pr.message_expiry_interval = v32; break;
        case 0x03: pr.content_type = str(); break;
        case 0x08: pr.response_topic = str(); break;
        case 0x09: pr.correlation_data = raw(v32 & 15); break;
        case 0x11: pr.session_expiry_interval = v32; break;
        case 0x12: pr.assigned_client_identifier = str(); break;
        case 0x13: pr.server_keep_alive = v16; break;
        case 0x15: pr.authentication_method = str(); break;
        case 0x16: pr.authentication_data = raw(v32 & 15); break;
        case 0x17: pr.request_problem_information = flag; break;
        case 0x18: pr.will_delay_interval = v32; break;
        case 0x19: pr.request_response_information = flag; break;
        case 0x1A: pr.response_information = str(); break;
        case 0x1C: pr.server_reference = str(); break;
        case 0x1F: pr.reason_string = str(); break;
        case 0x21: pr.receive_maximum = v16; break;
        case 0x22: pr.topic_alias_maximum = v16; break;
        case 0x23: pr.topic_alias = v16; break;
        case 0x24: pr.maximum_qos = static_cast<std::uint8_t>(wild ? v32 & 0xFF : v32 % 3); break;
        case 0x25: pr.retain_available = flag; break;
        case 0x27: pr.maximum_packet_size = v32; break;
        case 0x28: pr.wildcard_subscription_available = flag; break;
        case 0x29: pr.subscription_identifier_available = flag; break;
        case 0x2A: pr.shared_subscription_available = flag; break;
        default: break;
      }
    }
    if (head & 0x08) {
      auto& ups = ups_.emplace_back(1 + (u8() & 3));
      for (mqttconn_user_property& u : ups) u = {str(), str()};
      pr.user_properties = ups.data();
      pr.user_property_count = ups.size();
    }
    if (head & 0x10) {
      auto& ids_ = sub_ids_.emplace_back(1 + (u8() & 1));
      for (std::uint32_t& x : ids_) x = wild ? num32() : 1 + u8();
      pr.subscription_identifiers = ids_.data();
      pr.subscription_identifier_count = ids_.size();
    }
    if (wild && (head & 0x20)) pr.struct_size = sizeof pr - 1;
    if (wild && (head & 0x40)) pr.content_type = {nullptr, 3};
    return &pr;
  }

  byte_source* s_ = nullptr;
  std::deque<mqttconn_properties> props_;
  std::deque<std::vector<mqttconn_user_property>> ups_;
  std::deque<std::vector<std::uint32_t>> sub_ids_;
  std::deque<std::vector<mqttconn_subscription>> subs_;
  std::deque<std::vector<mqttconn_bytes>> filters_;
  std::deque<std::vector<std::uint8_t>> codes_;
};

// --- The driver ---------------------------------------------------------------------------

using send_fn = int (*)(mqttconn_conn*, const mqttconn_packet*);

inline send_fn send_function(int type) {
  switch (type) {
    case MQTTCONN_PACKET_CONNECT: return mqttconn_conn_connect;
    case MQTTCONN_PACKET_CONNACK: return mqttconn_conn_connack;
    case MQTTCONN_PACKET_PUBLISH: return mqttconn_conn_publish;
    case MQTTCONN_PACKET_PUBACK: return mqttconn_conn_puback;
    case MQTTCONN_PACKET_PUBREC: return mqttconn_conn_pubrec;
    case MQTTCONN_PACKET_PUBREL: return mqttconn_conn_pubrel;
    case MQTTCONN_PACKET_PUBCOMP: return mqttconn_conn_pubcomp;
    case MQTTCONN_PACKET_SUBSCRIBE: return mqttconn_conn_subscribe;
    case MQTTCONN_PACKET_SUBACK: return mqttconn_conn_suback;
    case MQTTCONN_PACKET_UNSUBSCRIBE: return mqttconn_conn_unsubscribe;
    case MQTTCONN_PACKET_UNSUBACK: return mqttconn_conn_unsuback;
    case MQTTCONN_PACKET_PINGREQ: return [](mqttconn_conn* c, const mqttconn_packet*) { return mqttconn_conn_pingreq(c); };
    case MQTTCONN_PACKET_PINGRESP: return [](mqttconn_conn* c, const mqttconn_packet*) { return mqttconn_conn_pingresp(c); };
    case MQTTCONN_PACKET_DISCONNECT: return mqttconn_conn_disconnect;
    default: return mqttconn_conn_auth;
  }
}

inline mqttconn_packet zeroed(int type) {
  mqttconn_packet p;
  std::memset(&p, 0, sizeof p);
  p.struct_size = sizeof p;
  p.type = type;
  return p;
}

inline mqttconn_bytes text(const char* s) { return {reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)}; }

}  // namespace mqttconn::fuzz
