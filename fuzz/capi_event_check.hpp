// capi_event_check: judging what the C API returns (fuzz_capi, fuzz_batch): the bands of the
// codes, the reason code that goes with each peer violation, and `digest`, which reads every
// field and view of an mqttconn_packet into text, so that two packets compare field by field
// and ASan sees every byte of every view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "mqttconn.h"

namespace mqttconn::fuzz {

// --- Codes --------------------------------------------------------------------------------

inline bool peer_band(int rc) { return rc <= -100 && rc >= -199; }
inline bool fatal(int rc) { return rc <= -900; }

// The reason code that goes with each violation code (mqttconn.h).
inline bool reason_matches(int rc, int reason) {
  switch (rc) {
    case MQTTCONN_ERR_MALFORMED: return reason == 0x81;
    case MQTTCONN_ERR_PROTOCOL: return reason >= 0x80;
    case MQTTCONN_ERR_UNSUPPORTED_VERSION: return reason == 0x84;
    case MQTTCONN_ERR_PACKET_TOO_LARGE: return reason == 0x95;
    case MQTTCONN_ERR_TOPIC_NAME: return reason == 0x90;
    case MQTTCONN_ERR_TOPIC_FILTER: return reason == 0x8F;
    case MQTTCONN_ERR_TOPIC_ALIAS: return reason == 0x94;
    case MQTTCONN_ERR_PAYLOAD_FORMAT: return reason == 0x99;
    default: return false;
  }
}

inline bool documented_violation(int rc) { return rc >= MQTTCONN_ERR_PAYLOAD_FORMAT && rc <= MQTTCONN_ERR_MALFORMED; }

// --- Events as text -----------------------------------------------------------------------

// Every field a packet of its type carries, as text: reading it touches every byte of every
// view (ASan checks them), and two packets with the same text are equal. `event`: the packet
// came from the library, so its flags must be 0 or 1 and its enums in range; otherwise it is
// a packet to send, whose flags count as true when nonzero.
class digest {
 public:
  digest(int version, bool event) : version_(version), event_(event) {}

  std::string of(const mqttconn_packet& p) {
    s_.clear();
    num("type", p.type);
    check(p.type >= MQTTCONN_PACKET_CONNECT && p.type <= MQTTCONN_PACKET_AUTH, "type");
    const bool acked_dup = version_ == MQTTCONN_V31;
    switch (p.type) {
      case MQTTCONN_PACKET_CONNECT:
        num("version", p.protocol_version);
        check(p.protocol_version >= 3 && p.protocol_version <= 5, "protocol_version");
        flag("bridge", p.bridge);
        flag("clean_start", p.clean_start);
        num("keep_alive", p.keep_alive);
        str("client_id", p.client_id);
        if (flag("has_will", p.has_will)) {
          num("will_qos", p.will_qos);
          check(p.will_qos <= 2, "will_qos");
          flag("will_retain", p.will_retain);
          str("will_topic", p.will_topic);
          str("will_payload", p.will_payload);
          props(p.will_props, p.protocol_version);
        }
        if (flag("has_username", p.has_username)) str("username", p.username);
        if (flag("has_password", p.has_password)) str("password", p.password);
        return props(p.props, p.protocol_version);
      case MQTTCONN_PACKET_CONNACK:
        flag("session_present", p.session_present);
        num("reason", p.reason_code);
        return props(p.props, version_);
      case MQTTCONN_PACKET_PUBLISH:
        flag("dup", p.dup);
        num("qos", p.qos);
        check(p.qos <= 2, "qos");
        flag("retain", p.retain);
        str("topic", p.topic);
        if (p.qos > 0) num("id", p.packet_id);
        str("payload", p.payload);
        return props(p.props, version_);
      case MQTTCONN_PACKET_PUBREL:
        dup(p.dup, acked_dup);
        [[fallthrough]];
      case MQTTCONN_PACKET_PUBACK:
      case MQTTCONN_PACKET_PUBREC:
      case MQTTCONN_PACKET_PUBCOMP:
        num("id", p.packet_id);
        num("reason", p.reason_code);
        return props(p.props, version_);
      case MQTTCONN_PACKET_SUBSCRIBE:
        dup(p.dup, acked_dup);
        num("id", p.packet_id);
        list(p.subscriptions, p.subscription_count, "subscriptions");
        for (std::size_t i = 0; i < p.subscription_count; ++i) {
          const mqttconn_subscription& x = p.subscriptions[i];
          str("filter", x.topic_filter);
          num("qos", x.qos);
          flag("no_local", x.no_local);
          flag("retain_as_published", x.retain_as_published);
          num("retain_handling", x.retain_handling);
          check(x.qos <= 2 && x.retain_handling <= 2, "subscription options");
        }
        return props(p.props, version_);
      case MQTTCONN_PACKET_UNSUBSCRIBE:
        dup(p.dup, acked_dup);
        num("id", p.packet_id);
        list(p.topic_filters, p.topic_filter_count, "topic_filters");
        for (std::size_t i = 0; i < p.topic_filter_count; ++i) str("filter", p.topic_filters[i]);
        return props(p.props, version_);
      case MQTTCONN_PACKET_SUBACK:
      case MQTTCONN_PACKET_UNSUBACK:
        num("id", p.packet_id);
        if (p.type == MQTTCONN_PACKET_SUBACK || version_ == MQTTCONN_V5) str("codes", p.reason_codes);
        return props(p.props, version_);
      case MQTTCONN_PACKET_DISCONNECT:
      case MQTTCONN_PACKET_AUTH:
        num("reason", p.reason_code);
        return props(p.props, version_);
      default:  // PINGREQ, PINGRESP: a sent one's props are not read
        return props(event_ ? p.props : nullptr, version_);
    }
  }

 private:
  void check(bool ok, const char* field) const {
    FUZZ_CHECK(ok || !event_, "an event's %s is out of range: %s", field, s_.c_str());
  }
  void num(const char* name, unsigned long v) {
    s_ += name;
    s_ += '=';
    s_ += std::to_string(v);
    s_ += ' ';
  }
  // DUP of PUBREL, SUBSCRIBE and UNSUBSCRIBE: a field at level 3 only, always 0 or 1.
  void dup(std::uint8_t v, bool counts) {
    check(v <= 1, "dup");
    if (counts) flag("dup", v);
  }
  bool flag(const char* name, std::uint8_t v) {
    check(v <= 1, name);
    num(name, v != 0);
    return v != 0;
  }
  void str(const char* name, const mqttconn_bytes& b) {
    FUZZ_CHECK(b.ptr != nullptr || b.len == 0, "%s: a NULL view of %zu bytes", name, b.len);
    s_ += name;
    s_ += '=';
    s_ += mqttconn::fuzz::hex(mqttconn::bytes(b.ptr, b.len), ~std::size_t{0});
    s_ += ' ';
  }
  template <class T>
  void list(const T* p, std::size_t n, const char* name) {
    FUZZ_CHECK(p != nullptr || n == 0, "%s: a NULL array of %zu", name, n);
    num(name, n);
  }
  std::string& props(const mqttconn_properties* pr, int version) {
    if (event_) FUZZ_CHECK(pr != nullptr, "an event without its property block: %s", s_.c_str());
    static const mqttconn_properties none = {sizeof(mqttconn_properties), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                             0, 0, 0, 0, {}, {}, {}, {}, {}, {}, {}, {}, {}, nullptr, 0, nullptr, 0};
    if (pr == nullptr) pr = &none;  // sending: NULL means no properties
    if (event_) FUZZ_CHECK(pr->struct_size == sizeof(mqttconn_properties), "a property block of size %zu", pr->struct_size);
    constexpr std::uint64_t lists =
        MQTTCONN_PROP_BIT(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER) | MQTTCONN_PROP_BIT(MQTTCONN_PROP_USER_PROPERTY);
    std::uint64_t present = pr->present & ~lists;
    if (pr->subscription_identifier_count) present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER);
    if (pr->user_property_count) present |= MQTTCONN_PROP_BIT(MQTTCONN_PROP_USER_PROPERTY);
    if (event_) {
      FUZZ_CHECK(present == pr->present, "an event's list property bits %llx disagree with its counts",
                 static_cast<unsigned long long>(pr->present));
      FUZZ_CHECK(version == MQTTCONN_V5 || present == 0, "a level-%d event with properties %llx", version,
                 static_cast<unsigned long long>(present));
    }
    s_ += "props{";
    num("present", present);
    const auto has = [&](int id) { return (present & MQTTCONN_PROP_BIT(id)) != 0; };
    if (has(MQTTCONN_PROP_PAYLOAD_FORMAT_INDICATOR)) num("pfi", pr->payload_format_indicator);
    if (has(MQTTCONN_PROP_MESSAGE_EXPIRY_INTERVAL)) num("mei", pr->message_expiry_interval);
    if (has(MQTTCONN_PROP_CONTENT_TYPE)) str("ct", pr->content_type);
    if (has(MQTTCONN_PROP_RESPONSE_TOPIC)) str("rt", pr->response_topic);
    if (has(MQTTCONN_PROP_CORRELATION_DATA)) str("cd", pr->correlation_data);
    list(pr->subscription_identifiers, pr->subscription_identifier_count, "sid");
    for (std::size_t i = 0; i < pr->subscription_identifier_count; ++i) num("sid", pr->subscription_identifiers[i]);
    if (has(MQTTCONN_PROP_SESSION_EXPIRY_INTERVAL)) num("sei", pr->session_expiry_interval);
    if (has(MQTTCONN_PROP_ASSIGNED_CLIENT_IDENTIFIER)) str("aci", pr->assigned_client_identifier);
    if (has(MQTTCONN_PROP_SERVER_KEEP_ALIVE)) num("ska", pr->server_keep_alive);
    if (has(MQTTCONN_PROP_AUTHENTICATION_METHOD)) str("am", pr->authentication_method);
    if (has(MQTTCONN_PROP_AUTHENTICATION_DATA)) str("ad", pr->authentication_data);
    if (has(MQTTCONN_PROP_REQUEST_PROBLEM_INFORMATION)) num("rpi", pr->request_problem_information);
    if (has(MQTTCONN_PROP_WILL_DELAY_INTERVAL)) num("wdi", pr->will_delay_interval);
    if (has(MQTTCONN_PROP_REQUEST_RESPONSE_INFORMATION)) num("rri", pr->request_response_information);
    if (has(MQTTCONN_PROP_RESPONSE_INFORMATION)) str("ri", pr->response_information);
    if (has(MQTTCONN_PROP_SERVER_REFERENCE)) str("sr", pr->server_reference);
    if (has(MQTTCONN_PROP_REASON_STRING)) str("rs", pr->reason_string);
    if (has(MQTTCONN_PROP_RECEIVE_MAXIMUM)) num("rm", pr->receive_maximum);
    if (has(MQTTCONN_PROP_TOPIC_ALIAS_MAXIMUM)) num("tam", pr->topic_alias_maximum);
    if (has(MQTTCONN_PROP_TOPIC_ALIAS)) num("ta", pr->topic_alias);
    if (has(MQTTCONN_PROP_MAXIMUM_QOS)) num("mq", pr->maximum_qos);
    if (has(MQTTCONN_PROP_RETAIN_AVAILABLE)) num("ra", pr->retain_available);
    list(pr->user_properties, pr->user_property_count, "up");
    for (std::size_t i = 0; i < pr->user_property_count; ++i) {
      str("k", pr->user_properties[i].name);
      str("v", pr->user_properties[i].value);
    }
    if (has(MQTTCONN_PROP_MAXIMUM_PACKET_SIZE)) num("mps", pr->maximum_packet_size);
    if (has(MQTTCONN_PROP_WILDCARD_SUBSCRIPTION_AVAILABLE)) num("wsa", pr->wildcard_subscription_available);
    if (has(MQTTCONN_PROP_SUBSCRIPTION_IDENTIFIER_AVAILABLE)) num("sia", pr->subscription_identifier_available);
    if (has(MQTTCONN_PROP_SHARED_SUBSCRIPTION_AVAILABLE)) num("ssa", pr->shared_subscription_available);
    s_ += '}';
    return s_;
  }

  int version_;
  bool event_;
  std::string s_;
};

}  // namespace mqttconn::fuzz
