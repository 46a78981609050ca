// Prints packets as one readable line each, every field and property included.
#pragma once

#include <cstdio>
#include <string>
#include <type_traits>

#include "mqttconn/codec.hpp"

namespace demo {

using namespace mqttconn;

inline void put_text(std::string& o, std::string_view s) {
  o += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", static_cast<unsigned char>(c));
      o += b;
    } else {
      o += c;
    }
  }
  o += '"';
}

inline void put_binary(std::string& o, binary b) {
  bool printable = true;
  for (std::uint8_t c : b) printable = printable && c >= 0x20 && c < 0x7F;
  if (printable) return put_text(o, b.as_string());
  o += "0x";
  static const char* hex = "0123456789abcdef";
  for (std::size_t i = 0; i < b.size() && i < 32; ++i) o += hex[b.data()[i] >> 4], o += hex[b.data()[i] & 15];
  if (b.size() > 32) o += "...(" + std::to_string(b.size()) + " bytes)";
}

inline void put_props(std::string& o, const properties& p) {
  if (p.empty()) return;
  o += " {";
  auto field = [&o](const char* name) { o += ' ', o += name, o += '='; };
  auto num = [&](const char* name, const auto& v) {
    if (v) field(name), o += std::to_string(+*v);
  };
  auto flag = [&](const char* name, const std::optional<bool>& v) {
    if (v) field(name), o += *v ? "1" : "0";
  };
  auto str = [&](const char* name, const std::optional<std::string_view>& v) {
    if (v) field(name), put_text(o, *v);
  };
  auto bin = [&](const char* name, const std::optional<binary>& v) {
    if (v) field(name), put_binary(o, *v);
  };
  flag("payload_format_indicator", p.payload_format_indicator());
  num("message_expiry_interval", p.message_expiry_interval());
  str("content_type", p.content_type());
  str("response_topic", p.response_topic());
  bin("correlation_data", p.correlation_data());
  for (std::uint32_t id : p.subscription_identifiers()) field("subscription_identifier"), o += std::to_string(id);
  num("session_expiry_interval", p.session_expiry_interval());
  str("assigned_client_identifier", p.assigned_client_identifier());
  num("server_keep_alive", p.server_keep_alive());
  str("authentication_method", p.authentication_method());
  bin("authentication_data", p.authentication_data());
  flag("request_problem_information", p.request_problem_information());
  num("will_delay_interval", p.will_delay_interval());
  flag("request_response_information", p.request_response_information());
  str("response_information", p.response_information());
  str("server_reference", p.server_reference());
  str("reason_string", p.reason_string());
  num("receive_maximum", p.receive_maximum());
  num("topic_alias_maximum", p.topic_alias_maximum());
  num("topic_alias", p.topic_alias());
  num("maximum_qos", p.maximum_qos());
  flag("retain_available", p.retain_available());
  for (const user_property& u : p.user_properties()) {
    field("user_property");
    put_text(o, u.name);
    o += ':';
    put_text(o, u.value);
  }
  num("maximum_packet_size", p.maximum_packet_size());
  flag("wildcard_subscription_available", p.wildcard_subscription_available());
  flag("subscription_identifier_available", p.subscription_identifier_available());
  flag("shared_subscription_available", p.shared_subscription_available());
  o += " }";
}

inline std::string describe(const packet& pk) {
  std::string o = to_string(type_of(pk));
  auto kv = [&o](const char* k, const std::string& v) { o += ' ', o += k, o += '=', o += v; };
  auto hex8 = [](std::uint8_t v) {
    char b[8];
    std::snprintf(b, sizeof b, "0x%02x", v);
    return std::string(b);
  };
  std::visit(
      [&](const auto& p) {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, connect>) {
          kv("level", std::to_string(static_cast<int>(p.version)));
          if (p.bridge) kv("bridge", "1");
          kv("clean_start", p.clean_start ? "1" : "0");
          kv("keep_alive", std::to_string(p.keep_alive));
          o += " client_id=", put_text(o, p.client_id);
          if (p.username) o += " username=", put_text(o, *p.username);
          if (p.password) o += " password=", put_binary(o, *p.password);
          put_props(o, p.props);
          if (p.will) {
            o += " will(topic=", put_text(o, p.will->topic);
            o += " payload=", put_binary(o, p.will->payload);
            kv("qos", std::to_string(static_cast<int>(p.will->qos)));
            kv("retain", p.will->retain ? "1" : "0");
            put_props(o, p.will->props);
            o += ')';
          }
        } else if constexpr (std::is_same_v<P, connack>) {
          kv("session_present", p.session_present ? "1" : "0");
          kv("reason_code", hex8(p.reason_code));
          put_props(o, p.props);
        } else if constexpr (std::is_same_v<P, publish>) {
          kv("qos", std::to_string(static_cast<int>(p.qos)));
          if (p.dup) kv("dup", "1");
          if (p.retain) kv("retain", "1");
          if (p.qos != qos::at_most_once) kv("packet_id", std::to_string(p.packet_id));
          o += " topic=", put_text(o, p.topic);
          put_props(o, p.props);
          o += " payload=", put_binary(o, p.payload);
        } else if constexpr (std::is_same_v<P, puback> || std::is_same_v<P, pubrec> ||
                             std::is_same_v<P, pubrel> || std::is_same_v<P, pubcomp>) {
          kv("packet_id", std::to_string(p.packet_id));
          kv("reason_code", hex8(p.reason_code));
          if constexpr (std::is_same_v<P, pubrel>) {
            if (p.dup) kv("dup", "1");
          }
          put_props(o, p.props);
        } else if constexpr (std::is_same_v<P, subscribe>) {
          kv("packet_id", std::to_string(p.packet_id));
          if (p.dup) kv("dup", "1");
          put_props(o, p.props);
          for (const subscription& s : p.subscriptions) {
            o += " [", put_text(o, s.topic_filter);
            kv("qos", std::to_string(static_cast<int>(s.max_qos)));
            if (s.no_local) kv("nl", "1");
            if (s.retain_as_published) kv("rap", "1");
            if (s.retain_handling) kv("rh", std::to_string(s.retain_handling));
            o += ']';
          }
        } else if constexpr (std::is_same_v<P, unsubscribe>) {
          kv("packet_id", std::to_string(p.packet_id));
          if (p.dup) kv("dup", "1");
          put_props(o, p.props);
          for (std::string_view f : p.topic_filters) o += ' ', put_text(o, f);
        } else if constexpr (std::is_same_v<P, suback> || std::is_same_v<P, unsuback>) {
          kv("packet_id", std::to_string(p.packet_id));
          put_props(o, p.props);
          for (std::uint8_t rc : p.reason_codes) o += ' ', o += hex8(rc);
        } else if constexpr (std::is_same_v<P, disconnect> || std::is_same_v<P, auth>) {
          kv("reason_code", hex8(p.reason_code));
          put_props(o, p.props);
        }
      },
      pk);
  return o;
}

}  // namespace demo
