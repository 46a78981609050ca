// packet_builder: packets of every kind built from fuzzer bytes (structure-aware fuzzing).
//
// Like tests/support/random_packets.hpp, but every choice is read from a byte_source instead of
// an RNG, so libFuzzer's mutations move through the space of packets rather than the space of
// bytes: one mutated byte adds a property, changes a QoS or swaps a topic for a shared filter.
// Zero bytes mean plain valid choices, so a short input still builds a sendable packet. Some
// choices deliberately leave the legal space (QoS 3, properties at 3.1.1, raw bytes as
// strings, any reason code): the encoder must refuse those, and the targets check that it
// refuses cleanly. Strings and arrays live in the builder's arena, so packets stay valid as
// long as the builder.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "mqttconn/packet.hpp"

namespace mqttconn::fuzz {

class packet_builder {
 public:
  packet make(packet_type t, protocol_version v, byte_source& s) {
    s_ = &s;
    switch (t) {
      case packet_type::connect: return make_connect(v);
      case packet_type::connack: return make_connack(v);
      case packet_type::publish: return make_publish(v);
      case packet_type::puback: return make_ack<puback>(v, property_scope::puback);
      case packet_type::pubrec: return make_ack<pubrec>(v, property_scope::pubrec);
      case packet_type::pubrel: return make_ack<pubrel>(v, property_scope::pubrel);
      case packet_type::pubcomp: return make_ack<pubcomp>(v, property_scope::pubcomp);
      case packet_type::subscribe: return make_subscribe(v);
      case packet_type::suback: return make_suback(v);
      case packet_type::unsubscribe: return make_unsubscribe(v);
      case packet_type::unsuback: return make_unsuback(v);
      case packet_type::pingreq: return pingreq{};
      case packet_type::pingresp: return pingresp{};
      case packet_type::disconnect: return make_disconnect(v);
      case packet_type::auth: return make_auth(v);
    }
    return pingreq{};
  }

  // Keeps a string for the life of the builder.
  std::string_view keep(std::string_view s) { return arena_.emplace_back(s); }

 private:
  // Strings: a token (topics, filters, shared subscriptions, edge-case UTF-8), or raw bytes.
  static constexpr std::array<std::string_view, 32> tokens = {
      "a", "a/b", "sensors/room1/temp", "", "+", "#", "a/+/c", "a/#", "+/+", "$share/g/a/b",
      "$share/g/#", "$share/g", "$share//a", "$SYS/x", "/", "a//b", "sport/tennis/+", "client-1",
      "text/plain", "\xC3\xA9t\xC3\xA9", "\xEF\xBB\xBF", "\xF0\x9F\x98\x80", std::string_view("a\0b", 3),
      "\x01", "\x7F", "\xC2\x80", "\xEF\xBF\xBF", "\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80",
      "a+", "#/a"};
  // Reason codes: every one 5.0 defines, for any packet.
  static constexpr std::array<std::uint8_t, 48> codes = {
      0x00, 0x01, 0x02, 0x04, 0x10, 0x11, 0x18, 0x19, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
      0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
      0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2, 0x03, 0x05, 0x20, 0xFF, 0x7F};
  static constexpr std::array<std::uint32_t, 12> u32s = {
      0, 1, 2, 60, 3600, 65535, 65536, 268435455, 268435456, 0x7FFFFFFF, 0xFFFFFFFE, 0xFFFFFFFF};
  static constexpr std::array<std::uint16_t, 8> u16s = {0, 1, 2, 5, 10, 60, 0x7FFF, 0xFFFF};

  std::uint8_t u8() { return s_->u8(); }
  bool bit(std::uint8_t flags, int n) const { return (flags >> n) & 1; }
  std::uint8_t reason(std::uint8_t sel) { return sel & 0x80 ? u8() : codes[sel % codes.size()]; }
  std::uint32_t num32() {
    const std::uint8_t t = u8();
    return t & 0x80 ? s_->u32() : u32s[t % u32s.size()];
  }
  std::uint16_t num16() {
    const std::uint8_t t = u8();
    return t & 0x80 ? s_->u16() : u16s[t % u16s.size()];
  }
  std::uint16_t packet_id(bool raw) { return raw ? s_->u16() : static_cast<std::uint16_t>(1 + u8()); }

  std::string_view text() {
    const std::uint8_t t = u8();
    if (!(t & 0x80)) return tokens[t % tokens.size()];
    const bytes b = s_->take(t & 0x3F);
    return keep(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  }
  binary data() {
    const std::uint8_t t = u8();
    if (t & 0x80) {  // large: beyond the connection's default borrow threshold when t is high
      std::string& s = arena_.emplace_back(static_cast<std::size_t>(t & 0x7F) * 256 + u8(), 'x');
      for (std::size_t i = 0; i < s.size(); i += 97) s[i] = static_cast<char>(i);
      return binary(std::string_view(s));
    }
    return s_->take(t);
  }

  // A property block: a count and, per property, an id and a value. Bit 7 of the count byte
  // lets ids stray outside their scope (the encoder must refuse them).
  void props(properties& p, property_scope scope) {
    const std::uint8_t m = u8();
    const bool wild = bit(m, 7);
    for (int n = m & 0x0F; n > 0; --n) {
      const std::uint8_t sel = u8();
      auto id = static_cast<property_id>(all_ids[sel % all_ids.size()]);
      if (!wild && !property_allowed(id, scope)) {
        // The first allowed id from here on, so each scope's ids are all reachable.
        for (std::size_t k = 1; k <= all_ids.size(); ++k) {
          id = static_cast<property_id>(all_ids[(sel + k) % all_ids.size()]);
          if (property_allowed(id, scope)) break;
        }
        if (!property_allowed(id, scope)) return;
      }
      set(p, id);
    }
  }
  static constexpr std::array<std::uint8_t, 27> all_ids = {
      0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x11, 0x12, 0x13, 0x15, 0x16, 0x17, 0x18, 0x19,
      0x1A, 0x1C, 0x1F, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A};

  void set(properties& p, property_id id) {
    using pid = property_id;
    switch (id) {
      case pid::payload_format_indicator: p.set_payload_format_indicator(u8() & 1); break;
      case pid::message_expiry_interval: p.set_message_expiry_interval(num32()); break;
      case pid::content_type: p.set_content_type(text()); break;
      case pid::response_topic: p.set_response_topic(text()); break;
      case pid::correlation_data: p.set_correlation_data(data()); break;
      case pid::subscription_identifier: {
        auto& ids = ids_.emplace_back(p.subscription_identifiers().begin(), p.subscription_identifiers().end());
        ids.push_back(u8() & 0x80 ? num32() : 1u + u8());
        p.set_subscription_identifiers(std::span<const std::uint32_t>(ids));
        break;
      }
      case pid::session_expiry_interval: p.set_session_expiry_interval(num32()); break;
      case pid::assigned_client_identifier: p.set_assigned_client_identifier(text()); break;
      case pid::server_keep_alive: p.set_server_keep_alive(num16()); break;
      case pid::authentication_method: p.set_authentication_method(text()); break;
      case pid::authentication_data: p.set_authentication_data(data()); break;
      case pid::request_problem_information: p.set_request_problem_information(u8() & 1); break;
      case pid::will_delay_interval: p.set_will_delay_interval(num32()); break;
      case pid::request_response_information: p.set_request_response_information(u8() & 1); break;
      case pid::response_information: p.set_response_information(text()); break;
      case pid::server_reference: p.set_server_reference(text()); break;
      case pid::reason_string: p.set_reason_string(text()); break;
      case pid::receive_maximum: p.set_receive_maximum(num16()); break;
      case pid::topic_alias_maximum: p.set_topic_alias_maximum(num16()); break;
      case pid::topic_alias: p.set_topic_alias(num16()); break;
      case pid::maximum_qos: p.set_maximum_qos(u8() & 3); break;
      case pid::retain_available: p.set_retain_available(u8() & 1); break;
      case pid::user_property: {
        auto& ups = users_.emplace_back(p.user_properties().begin(), p.user_properties().end());
        const std::string_view name = text();
        ups.push_back({name, text()});
        p.set_user_properties(std::span<const user_property>(ups));
        break;
      }
      case pid::maximum_packet_size: p.set_maximum_packet_size(num32()); break;
      case pid::wildcard_subscription_available: p.set_wildcard_subscription_available(u8() & 1); break;
      case pid::subscription_identifier_available: p.set_subscription_identifier_available(u8() & 1); break;
      case pid::shared_subscription_available: p.set_shared_subscription_available(u8() & 1); break;
    }
  }
  // Properties where the level has them, or anywhere when `wild` (the encoder must refuse).
  void maybe_props(properties& p, property_scope scope, protocol_version v, bool wild) {
    if (v == protocol_version::v5 || wild) props(p, scope);
  }

  // Flags byte: 0 bridge, 1 no clean start, 2 will, 3 user name, 4 password, 5 raw keep alive,
  // 6 level from the next byte (any value), 7 properties at any level.
  packet make_connect(protocol_version v) {
    connect c;
    const std::uint8_t f = u8();
    c.version = bit(f, 6) ? static_cast<protocol_version>(u8() & 7) : v;
    c.bridge = bit(f, 0);
    c.clean_start = !bit(f, 1);
    c.keep_alive = bit(f, 5) ? s_->u16() : 60;
    c.client_id = text();
    maybe_props(c.props, property_scope::connect, c.version, bit(f, 7));
    if (bit(f, 2)) {
      will_message& w = c.will.emplace();
      const std::uint8_t wf = u8();
      w.qos = static_cast<qos>(wf & 3);
      w.retain = bit(wf, 2);
      w.topic = text();
      w.payload = data();
      maybe_props(w.props, property_scope::will, c.version, bit(wf, 7));
    }
    if (bit(f, 3)) c.username = text();
    if (bit(f, 4)) c.password = data();
    return c;
  }

  // Flags: 0 session present, 1-7 reason selector (see reason()).
  packet make_connack(protocol_version v) {
    connack a;
    const std::uint8_t f = u8();
    a.session_present = bit(f, 0);
    a.reason_code = f & 0x02 ? reason(u8()) : 0;
    maybe_props(a.props, property_scope::connack, v, bit(f, 7));
    return a;
  }

  // Flags: 0-1 QoS (3 is illegal), 2 DUP, 3 RETAIN, 4 raw packet id, 5 packet id on QoS 0,
  // 6 no properties, 7 properties at any level.
  packet make_publish(protocol_version v) {
    publish p;
    const std::uint8_t f = u8();
    p.qos = static_cast<qos>(f & 3);
    p.dup = bit(f, 2);
    p.retain = bit(f, 3);
    p.topic = text();
    if (p.qos != qos::at_most_once || bit(f, 5)) p.packet_id = packet_id(bit(f, 4));
    if (!bit(f, 6)) maybe_props(p.props, property_scope::publish, v, bit(f, 7));
    p.payload = data();
    return p;
  }

  // Flags: 0 raw packet id, 1 reason code, 2 DUP (PUBREL), 3 properties, 7 at any level.
  template <class P>
  packet make_ack(protocol_version v, property_scope scope) {
    P a;
    const std::uint8_t f = u8();
    a.packet_id = packet_id(bit(f, 0));
    if (bit(f, 1)) a.reason_code = reason(u8());
    if constexpr (std::is_same_v<P, pubrel>) a.dup = bit(f, 2);
    if (bit(f, 3)) maybe_props(a.props, scope, v, bit(f, 7));
    return a;
  }

  // Flags: 0 raw packet id, 1-3 subscriptions - 1 (8 means none), 4 DUP, 7 properties anywhere.
  packet make_subscribe(protocol_version v) {
    subscribe s;
    const std::uint8_t f = u8();
    s.packet_id = packet_id(bit(f, 0));
    s.dup = bit(f, 4);
    auto& subs = subs_.emplace_back();
    for (int n = (1 + ((f >> 1) & 7)) % 8; n > 0; --n) {
      subscription e;
      e.topic_filter = text();
      const std::uint8_t o = u8();
      e.max_qos = static_cast<qos>(o & 3);
      e.no_local = bit(o, 2);
      e.retain_as_published = bit(o, 3);
      e.retain_handling = static_cast<std::uint8_t>((o >> 4) & 3);
      subs.push_back(e);
    }
    s.subscriptions = std::span<const subscription>(subs);
    maybe_props(s.props, property_scope::subscribe, v, bit(f, 7));
    return s;
  }

  packet make_suback(protocol_version v) {
    suback a;
    const std::uint8_t f = u8();
    a.packet_id = packet_id(bit(f, 0));
    auto& rc = codes_.emplace_back();
    for (int n = (1 + ((f >> 1) & 7)) % 8; n > 0; --n) rc.push_back(reason(u8()));
    a.reason_codes = binary(rc.data(), rc.size());
    maybe_props(a.props, property_scope::suback, v, bit(f, 7));
    return a;
  }

  packet make_unsubscribe(protocol_version v) {
    unsubscribe u;
    const std::uint8_t f = u8();
    u.packet_id = packet_id(bit(f, 0));
    u.dup = bit(f, 4);
    auto& fs = filters_.emplace_back();
    for (int n = (1 + ((f >> 1) & 7)) % 8; n > 0; --n) fs.push_back(text());
    u.topic_filters = std::span<const std::string_view>(fs);
    maybe_props(u.props, property_scope::unsubscribe, v, bit(f, 7));
    return u;
  }

  // Flags as SUBSCRIBE; bit 5 gives reason codes at any level.
  packet make_unsuback(protocol_version v) {
    unsuback a;
    const std::uint8_t f = u8();
    a.packet_id = packet_id(bit(f, 0));
    if (v == protocol_version::v5 || bit(f, 5)) {
      auto& rc = codes_.emplace_back();
      for (int n = (1 + ((f >> 1) & 7)) % 8; n > 0; --n) rc.push_back(reason(u8()));
      a.reason_codes = binary(rc.data(), rc.size());
    }
    maybe_props(a.props, property_scope::unsuback, v, bit(f, 7));
    return a;
  }

  packet make_disconnect(protocol_version v) {
    disconnect d;
    const std::uint8_t f = u8();
    if (bit(f, 0)) d.reason_code = reason(u8());
    maybe_props(d.props, property_scope::disconnect, v, bit(f, 7));
    return d;
  }

  packet make_auth(protocol_version v) {
    auth a;
    const std::uint8_t f = u8();
    static constexpr std::uint8_t auth_codes[] = {0x18, 0x00, 0x19, 0x18};
    a.reason_code = bit(f, 2) ? reason(u8()) : auth_codes[f & 3];
    maybe_props(a.props, property_scope::auth, v, true);
    return a;
  }

  byte_source* s_ = nullptr;
  std::deque<std::string> arena_;
  std::deque<std::vector<user_property>> users_;
  std::deque<std::vector<std::uint32_t>> ids_;
  std::deque<std::vector<subscription>> subs_;
  std::deque<std::vector<std::uint8_t>> codes_;
  std::deque<std::vector<std::string_view>> filters_;
};

}  // namespace mqttconn::fuzz
