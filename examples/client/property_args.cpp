// -D <command> <identifier> <value> [<value>]: MQTT 5 properties spelled as mosquitto does
// (the spec's names with '-' between words), checked against the packet they go on.
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "options.hpp"

namespace client {
namespace {

using mqttconn::property_id;
using mqttconn::property_scope;

struct named_property {
  const char* name;
  property_id id;
};

constexpr named_property names[] = {
    {"payload-format-indicator", property_id::payload_format_indicator},
    {"message-expiry-interval", property_id::message_expiry_interval},
    {"content-type", property_id::content_type},
    {"response-topic", property_id::response_topic},
    {"correlation-data", property_id::correlation_data},
    {"subscription-identifier", property_id::subscription_identifier},
    {"session-expiry-interval", property_id::session_expiry_interval},
    {"authentication-method", property_id::authentication_method},
    {"authentication-data", property_id::authentication_data},
    {"request-problem-information", property_id::request_problem_information},
    {"will-delay-interval", property_id::will_delay_interval},
    {"request-response-information", property_id::request_response_information},
    {"reason-string", property_id::reason_string},
    {"receive-maximum", property_id::receive_maximum},
    {"topic-alias-maximum", property_id::topic_alias_maximum},
    {"topic-alias", property_id::topic_alias},
    {"user-property", property_id::user_property},
    {"maximum-packet-size", property_id::maximum_packet_size},
};

bool to_unsigned(const char* s, unsigned long max, unsigned long& out) {
  char* end = nullptr;
  errno = 0;
  if (*s == '-') return false;
  const unsigned long v = std::strtoul(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v > max) return false;
  out = v;
  return true;
}

// The packet a -D command names, and where its properties are kept.
property_set* target(options& o, std::string_view cmd, property_scope& scope) {
  std::string c(cmd);
  for (char& ch : c) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (c == "connect") return scope = property_scope::connect, &o.connect_props;
  if (c == "publish") return scope = property_scope::publish, &o.publish_props;
  if (c == "subscribe") return scope = property_scope::subscribe, &o.subscribe_props;
  if (c == "unsubscribe") return scope = property_scope::unsubscribe, &o.unsubscribe_props;
  if (c == "disconnect") return scope = property_scope::disconnect, &o.disconnect_props;
  if (c == "will") return scope = property_scope::will, &o.will_props;
  return nullptr;
}

}  // namespace

bool parse_property(options& o, int argc, char** argv, int& i) {
  if (i + 3 >= argc) {
    std::fprintf(stderr, "Error: -D argument given, but not enough arguments specified.\n");
    return false;
  }
  property_scope scope{};
  property_set* set = target(o, argv[i + 1], scope);
  if (set == nullptr) {
    std::fprintf(stderr, "Error: Invalid command %s given in -D argument.\n", argv[i + 1]);
    return false;
  }
  const named_property* np = nullptr;
  for (const named_property& n : names) {
    if (std::strcmp(n.name, argv[i + 2]) == 0) np = &n;
  }
  if (np == nullptr) {
    std::fprintf(stderr, "Error: Invalid property name %s given in -D argument.\n", argv[i + 2]);
    return false;
  }
  if (!mqttconn::property_allowed(np->id, scope)) {
    std::fprintf(stderr, "Error: %s property not allowed for %s in -D argument.\n", argv[i + 2], argv[i + 1]);
    return false;
  }
  const char* value = argv[i + 3];
  auto keep = [&o](const char* s) -> std::string_view { return o.storage.emplace_back(s); };
  auto bad_value = [&]() {
    std::fprintf(stderr, "Error: Invalid value \"%s\" for property %s in -D argument.\n", value, np->name);
    return false;
  };
  unsigned long n = 0;
  mqttconn::properties& p = set->props;
  switch (np->id) {
    case property_id::user_property:
      if (i + 4 >= argc) {
        std::fprintf(stderr, "Error: user-property needs a name and a value in -D argument.\n");
        return false;
      }
      set->user_properties.push_back({keep(argv[i + 3]), keep(argv[i + 4])});
      i += 4;
      o.any_property = true;
      return true;
    case property_id::payload_format_indicator:
    case property_id::request_problem_information:
    case property_id::request_response_information:
      if (!to_unsigned(value, 1, n)) return bad_value();
      if (np->id == property_id::payload_format_indicator) p.set_payload_format_indicator(n != 0);
      if (np->id == property_id::request_problem_information) p.set_request_problem_information(n != 0);
      if (np->id == property_id::request_response_information) p.set_request_response_information(n != 0);
      break;
    case property_id::receive_maximum:
    case property_id::topic_alias_maximum:
    case property_id::topic_alias:
      if (!to_unsigned(value, 0xFFFF, n)) return bad_value();
      if (np->id == property_id::receive_maximum) p.set_receive_maximum(static_cast<std::uint16_t>(n));
      if (np->id == property_id::topic_alias_maximum) p.set_topic_alias_maximum(static_cast<std::uint16_t>(n));
      if (np->id == property_id::topic_alias) p.set_topic_alias(static_cast<std::uint16_t>(n));
      break;
    case property_id::message_expiry_interval:
    case property_id::session_expiry_interval:
    case property_id::will_delay_interval:
    case property_id::maximum_packet_size:
      if (!to_unsigned(value, 0xFFFFFFFFul, n)) return bad_value();
      if (np->id == property_id::message_expiry_interval) p.set_message_expiry_interval(static_cast<std::uint32_t>(n));
      if (np->id == property_id::session_expiry_interval) p.set_session_expiry_interval(static_cast<std::uint32_t>(n));
      if (np->id == property_id::will_delay_interval) p.set_will_delay_interval(static_cast<std::uint32_t>(n));
      if (np->id == property_id::maximum_packet_size) p.set_maximum_packet_size(static_cast<std::uint32_t>(n));
      break;
    case property_id::subscription_identifier:
      if (!to_unsigned(value, 268'435'455, n) || n == 0) return bad_value();
      set->subscription_identifiers.push_back(static_cast<std::uint32_t>(n));
      break;
    case property_id::content_type: p.set_content_type(keep(value)); break;
    case property_id::response_topic: p.set_response_topic(keep(value)); break;
    case property_id::authentication_method: p.set_authentication_method(keep(value)); break;
    case property_id::reason_string: p.set_reason_string(keep(value)); break;
    case property_id::correlation_data: p.set_correlation_data(mqttconn::binary(keep(value))); break;
    case property_id::authentication_data: p.set_authentication_data(mqttconn::binary(keep(value))); break;
    default: return bad_value();
  }
  i += 3;
  o.any_property = true;
  return true;
}

}  // namespace client
