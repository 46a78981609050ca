// Random valid packets of every kind and level, for round-trip tests. Strings and arrays live
// in the generator's arena, so packets stay valid as long as the generator.
#pragma once

#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "mqttconn/packet.hpp"

namespace mqttconn::test {

class packet_generator {
 public:
  explicit packet_generator(std::uint64_t seed) : rng_(seed) {}

  packet make(packet_type t, protocol_version v) {
    switch (t) {
      case packet_type::connect: return make_connect(v);
      case packet_type::connack: return make_connack(v);
      case packet_type::publish: return make_publish(v);
      case packet_type::puback: return make_ack<puback>(v, pub_codes);
      case packet_type::pubrec: return make_ack<pubrec>(v, pub_codes);
      case packet_type::pubrel: {
        pubrel p = make_ack<pubrel>(v, rel_codes);
        p.dup = v == protocol_version::v3_1 && coin();
        return p;
      }
      case packet_type::pubcomp: return make_ack<pubcomp>(v, rel_codes);
      case packet_type::subscribe: return make_subscribe(v);
      case packet_type::suback: return make_suback(v);
      case packet_type::unsubscribe: return make_unsubscribe(v);
      case packet_type::unsuback: return make_unsuback(v);
      case packet_type::pingreq: return pingreq{};
      case packet_type::pingresp: return pingresp{};
      case packet_type::disconnect: {
        disconnect d;
        if (v == protocol_version::v5) {
          d.reason_code = pick(disconnect_codes);
          if (coin()) d.props.set_session_expiry_interval(u32());
          maybe_common(d.props);
          if (coin()) d.props.set_server_reference(text(12));
        }
        return d;
      }
      case packet_type::auth: {
        auth a;
        a.reason_code = pick({0x00, 0x18, 0x19});
        a.props.set_authentication_method(text(10));
        if (coin()) a.props.set_authentication_data(data(20));
        maybe_common(a.props);
        return a;
      }
    }
    return pingreq{};
  }

  std::uint32_t below(std::uint32_t n) { return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng_); }
  bool coin() { return below(2) == 0; }

 private:
  static constexpr std::uint8_t pub_codes[] = {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99};
  static constexpr std::uint8_t rel_codes[] = {0x00, 0x92};
  static constexpr std::uint8_t disconnect_codes[] = {0x00, 0x04, 0x80, 0x81, 0x82, 0x8E, 0x93, 0x9C, 0xA2};

  template <std::size_t N>
  std::uint8_t pick(const std::uint8_t (&a)[N]) { return a[below(N)]; }
  std::uint8_t pick(std::initializer_list<std::uint8_t> l) { return *(l.begin() + below(std::uint32_t(l.size()))); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(rng_()); }
  std::uint16_t u16nz() { return static_cast<std::uint16_t>(1 + below(65535)); }

  // Valid UTF-8 of up to `max` code points, mixing ASCII with 2-, 3- and 4-byte sequences
  // (U+FEFF included, which must pass untouched).
  std::string utf8(std::size_t max, bool topic_safe) {
    static const char* const pieces[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xEF\xBB\xBF", "\xE4\xB8\xAD"};
    std::string s;
    const std::size_t n = below(static_cast<std::uint32_t>(max) + 1);
    for (std::size_t i = 0; i < n; ++i) {
      if (below(5) == 0) {
        s += pieces[below(5)];
      } else {
        char c = static_cast<char>(' ' + below(95));
        if (topic_safe && (c == '+' || c == '#')) c = 'x';
        s += c;
      }
    }
    return s;
  }
  std::string_view keep(std::string s) { return arena_.emplace_back(std::move(s)); }
  std::string_view text(std::size_t max) { return keep(utf8(max, false)); }
  std::string_view topic() {
    std::string s = utf8(20, true);
    if (s.empty()) s.push_back('t');  // not s = "t": g++ 12 warns falsely (-Wrestrict)
    return keep(std::move(s));
  }
  std::string_view filter() {
    static const char* const shapes[] = {"a/+/c", "#", "+", "a/#", "+/+/+", "sport/tennis/+", "$SYS/#", "/", "a//b"};
    if (coin()) return shapes[below(9)];
    return topic();
  }
  binary data(std::size_t max) {
    std::string& s = arena_.emplace_back(below(static_cast<std::uint32_t>(max) + 1), '\0');
    for (char& c : s) c = static_cast<char>(rng_());
    return binary(std::string_view(s));
  }

  // Reason String and User Properties: allowed in every packet with properties.
  void maybe_common(properties& p) {
    if (coin()) p.set_reason_string(text(16));
    if (coin()) {
      auto& ups = users_.emplace_back();
      const std::size_t n = 1 + below(4);
      for (std::size_t i = 0; i < n; ++i) ups.push_back({text(6), text(6)});
      if (n > 1 && coin()) ups.push_back(ups.front());  // repeats are kept
      p.set_user_properties(std::span<const user_property>(ups));
    }
  }
  void message_props(properties& p, bool will) {
    if (coin()) p.set_payload_format_indicator(coin());
    if (coin()) p.set_message_expiry_interval(u32());
    if (coin()) p.set_content_type(text(12));
    if (coin()) p.set_response_topic(topic());
    if (coin()) p.set_correlation_data(data(16));
    if (will && coin()) p.set_will_delay_interval(u32());
    if (coin()) {
      auto& ups = users_.emplace_back();
      for (std::size_t i = 0, n = 1 + below(3); i < n; ++i) ups.push_back({text(6), text(6)});
      p.set_user_properties(std::span<const user_property>(ups));
    }
  }

  packet make_connect(protocol_version v) {
    connect c;
    c.version = v;
    c.bridge = below(4) == 0;
    c.clean_start = coin();
    c.keep_alive = static_cast<std::uint16_t>(below(65536));
    c.client_id = text(23);
    if (c.client_id.empty() && v != protocol_version::v5) c.clean_start = true;
    const bool v5 = v == protocol_version::v5;
    if (coin()) {
      will_message& w = c.will.emplace();
      w.topic = topic();
      w.payload = data(32);
      w.qos = static_cast<qos>(below(3));
      w.retain = coin();
      if (v5) message_props(w.props, true);
    }
    if (coin()) c.username = text(12);
    if (coin() && (c.username || v5)) c.password = data(12);
    if (v5) {
      properties& p = c.props;
      if (coin()) p.set_session_expiry_interval(u32());
      if (coin()) p.set_receive_maximum(u16nz());
      if (coin()) p.set_maximum_packet_size(1 + below(0x7FFFFFFF));
      if (coin()) p.set_topic_alias_maximum(static_cast<std::uint16_t>(below(65536)));
      if (coin()) p.set_request_response_information(coin());
      if (coin()) p.set_request_problem_information(coin());
      if (coin()) {
        p.set_authentication_method(text(10));
        if (coin()) p.set_authentication_data(data(10));
      }
      if (coin()) {
        auto& ups = users_.emplace_back();
        ups.push_back({text(5), text(5)});
        p.set_user_properties(std::span<const user_property>(ups));
      }
    }
    return c;
  }

  packet make_connack(protocol_version v) {
    connack a;
    if (v == protocol_version::v5) {
      static constexpr std::uint8_t codes[] = {0x00, 0x80, 0x84, 0x85, 0x86, 0x87, 0x8C, 0x95, 0x9F};
      a.reason_code = pick(codes);
      properties& p = a.props;
      if (coin()) p.set_session_expiry_interval(u32());
      if (coin()) p.set_receive_maximum(u16nz());
      if (coin()) p.set_maximum_qos(static_cast<std::uint8_t>(below(2)));
      if (coin()) p.set_retain_available(coin());
      if (coin()) p.set_maximum_packet_size(1 + below(1000000));
      if (coin()) p.set_assigned_client_identifier(text(20));
      if (coin()) p.set_topic_alias_maximum(static_cast<std::uint16_t>(below(65536)));
      if (coin()) p.set_wildcard_subscription_available(coin());
      if (coin()) p.set_subscription_identifier_available(coin());
      if (coin()) p.set_shared_subscription_available(coin());
      if (coin()) p.set_server_keep_alive(static_cast<std::uint16_t>(below(65536)));
      if (coin()) p.set_response_information(text(10));
      if (coin()) p.set_server_reference(text(10));
      if (coin()) p.set_authentication_method(text(8));
      if (coin()) p.set_authentication_data(data(8));
      maybe_common(p);
    } else {
      a.reason_code = static_cast<std::uint8_t>(below(6));
    }
    a.session_present = v != protocol_version::v3_1 && a.reason_code == 0 && coin();
    return a;
  }

  packet make_publish(protocol_version v) {
    publish p;
    p.qos = static_cast<qos>(below(3));
    p.dup = p.qos != qos::at_most_once && coin();
    p.retain = coin();
    p.topic = topic();
    if (p.qos != qos::at_most_once) p.packet_id = u16nz();
    if (v == protocol_version::v5) {
      message_props(p.props, false);
      if (coin()) p.props.set_topic_alias(u16nz());
      if (p.props.topic_alias() && coin()) p.topic = {};
      if (coin()) {
        auto& ids = ids_.emplace_back();
        for (std::size_t i = 0, n = 1 + below(3); i < n; ++i) ids.push_back(1 + below(268435455));
        p.props.set_subscription_identifiers(std::span<const std::uint32_t>(ids));
      }
    }
    p.payload = data(below(8) == 0 ? 300 : 40);
    return p;
  }

  template <class P, std::size_t N>
  P make_ack(protocol_version v, const std::uint8_t (&codes)[N]) {
    P a;
    a.packet_id = u16nz();
    if (v == protocol_version::v5) {
      if (coin()) a.reason_code = pick(codes);
      if (coin()) maybe_common(a.props);
    }
    return a;
  }

  packet make_subscribe(protocol_version v) {
    subscribe s;
    s.packet_id = u16nz();
    s.dup = v == protocol_version::v3_1 && coin();
    auto& subs = subs_.emplace_back();
    for (std::size_t i = 0, n = 1 + below(5); i < n; ++i) {
      subscription e;
      e.topic_filter = filter();
      e.max_qos = static_cast<qos>(below(3));
      if (v == protocol_version::v5) {
        e.no_local = coin();
        e.retain_as_published = coin();
        e.retain_handling = static_cast<std::uint8_t>(below(3));
      }
      subs.push_back(e);
    }
    if (v == protocol_version::v5 && coin()) {
      shared_.push_back("$share/group/" + std::string(filter()));
      subs.push_back({shared_.back(), qos::at_least_once, false, coin(), 1});
    }
    s.subscriptions = std::span<const subscription>(subs);
    if (v == protocol_version::v5) {
      if (coin()) {
        ids_.push_back({1 + below(268435455)});
        s.props.set_subscription_identifiers(std::span<const std::uint32_t>(ids_.back()));
      }
      if (coin()) {
        auto& ups = users_.emplace_back();
        ups.push_back({text(5), text(5)});
        s.props.set_user_properties(std::span<const user_property>(ups));
      }
    }
    return s;
  }

  packet make_suback(protocol_version v) {
    suback a;
    a.packet_id = u16nz();
    auto& codes = codes_.emplace_back();
    static constexpr std::uint8_t v5codes[] = {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};
    for (std::size_t i = 0, n = 1 + below(6); i < n; ++i) {
      codes.push_back(v == protocol_version::v5 ? pick(v5codes)
                      : v == protocol_version::v3_1_1 && below(4) == 0 ? 0x80
                                                                        : static_cast<std::uint8_t>(below(3)));
    }
    a.reason_codes = binary(codes.data(), codes.size());
    if (v == protocol_version::v5) maybe_common(a.props);
    return a;
  }

  packet make_unsubscribe(protocol_version v) {
    unsubscribe u;
    u.packet_id = u16nz();
    u.dup = v == protocol_version::v3_1 && coin();
    auto& fs = filters_.emplace_back();
    for (std::size_t i = 0, n = 1 + below(5); i < n; ++i) fs.push_back(filter());
    u.topic_filters = std::span<const std::string_view>(fs);
    if (v == protocol_version::v5 && coin()) {
      auto& ups = users_.emplace_back();
      ups.push_back({text(5), text(5)});
      u.props.set_user_properties(std::span<const user_property>(ups));
    }
    return u;
  }

  packet make_unsuback(protocol_version v) {
    unsuback a;
    a.packet_id = u16nz();
    if (v == protocol_version::v5) {
      static constexpr std::uint8_t v5codes[] = {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91};
      auto& codes = codes_.emplace_back();
      for (std::size_t i = 0, n = 1 + below(6); i < n; ++i) codes.push_back(pick(v5codes));
      a.reason_codes = binary(codes.data(), codes.size());
      maybe_common(a.props);
    }
    return a;
  }

  std::mt19937_64 rng_;
  std::deque<std::string> arena_;
  std::deque<std::string> shared_;
  std::deque<std::vector<user_property>> users_;
  std::deque<std::vector<std::uint32_t>> ids_;
  std::deque<std::vector<subscription>> subs_;
  std::deque<std::vector<std::uint8_t>> codes_;
  std::deque<std::vector<std::string_view>> filters_;
};

}  // namespace mqttconn::test
