// Property blocks: mqttconn_properties <-> mqttconn::properties.
//
// Both sides keep presence as one bit per property id, so conversion visits only the set
// bits. A received block sets `present` and the counts and writes only the present values
// (the others do not count, so they are not cleared: an empty block costs three stores).
#include "convert.hpp"

namespace mqttconn::capi {
namespace {

using id = property_id;

constexpr std::uint64_t bit(id i) noexcept { return std::uint64_t{1} << static_cast<unsigned>(i); }

// Every property id 5.0 defines.
constexpr std::uint64_t known_ids =
    bit(id::payload_format_indicator) | bit(id::message_expiry_interval) | bit(id::content_type) |
    bit(id::response_topic) | bit(id::correlation_data) | bit(id::subscription_identifier) |
    bit(id::session_expiry_interval) | bit(id::assigned_client_identifier) | bit(id::server_keep_alive) |
    bit(id::authentication_method) | bit(id::authentication_data) | bit(id::request_problem_information) |
    bit(id::will_delay_interval) | bit(id::request_response_information) | bit(id::response_information) |
    bit(id::server_reference) | bit(id::reason_string) | bit(id::receive_maximum) |
    bit(id::topic_alias_maximum) | bit(id::topic_alias) | bit(id::maximum_qos) | bit(id::retain_available) |
    bit(id::user_property) | bit(id::maximum_packet_size) | bit(id::wildcard_subscription_available) |
    bit(id::subscription_identifier_available) | bit(id::shared_subscription_available);

// The lists: present by their counts, not by their bits.
constexpr std::uint64_t list_ids = bit(id::subscription_identifier) | bit(id::user_property);

inline unsigned lowest(std::uint64_t m) noexcept { return static_cast<unsigned>(__builtin_ctzll(m)); }

// Copies a list read off the wire into `into`, kept at its largest size so far (growing it
// is the only allocation of an event), and returns its length.
template <class T, class C, class F>
std::size_t copy_list(const wire_list<T>& list, std::pmr::vector<C>& into, F convert) {
  const std::size_t n = list.size();
  if (into.size() < n) into.resize(n);
  C* d = into.data();
  for (const T& x : list) *d++ = convert(x);
  return n;
}

}  // namespace

void props_to_c_slow(const properties& p, mqttconn_properties& out, c_user_properties& ups, c_ids& ids) {
  const std::uint64_t present = p.present();
  out.present = present;
  for (std::uint64_t m = present & ~list_ids; m != 0; m &= m - 1) {
    switch (static_cast<id>(lowest(m))) {
      case id::payload_format_indicator: out.payload_format_indicator = *p.payload_format_indicator(); break;
      case id::message_expiry_interval: out.message_expiry_interval = *p.message_expiry_interval(); break;
      case id::content_type: out.content_type = bytes_of(*p.content_type()); break;
      case id::response_topic: out.response_topic = bytes_of(*p.response_topic()); break;
      case id::correlation_data: out.correlation_data = bytes_of(*p.correlation_data()); break;
      case id::session_expiry_interval: out.session_expiry_interval = *p.session_expiry_interval(); break;
      case id::assigned_client_identifier:
        out.assigned_client_identifier = bytes_of(*p.assigned_client_identifier());
        break;
      case id::server_keep_alive: out.server_keep_alive = *p.server_keep_alive(); break;
      case id::authentication_method: out.authentication_method = bytes_of(*p.authentication_method()); break;
      case id::authentication_data: out.authentication_data = bytes_of(*p.authentication_data()); break;
      case id::request_problem_information:
        out.request_problem_information = *p.request_problem_information();
        break;
      case id::will_delay_interval: out.will_delay_interval = *p.will_delay_interval(); break;
      case id::request_response_information:
        out.request_response_information = *p.request_response_information();
        break;
      case id::response_information: out.response_information = bytes_of(*p.response_information()); break;
      case id::server_reference: out.server_reference = bytes_of(*p.server_reference()); break;
      case id::reason_string: out.reason_string = bytes_of(*p.reason_string()); break;
      case id::receive_maximum: out.receive_maximum = *p.receive_maximum(); break;
      case id::topic_alias_maximum: out.topic_alias_maximum = *p.topic_alias_maximum(); break;
      case id::topic_alias: out.topic_alias = *p.topic_alias(); break;
      case id::maximum_qos: out.maximum_qos = *p.maximum_qos(); break;
      case id::retain_available: out.retain_available = *p.retain_available(); break;
      case id::maximum_packet_size: out.maximum_packet_size = *p.maximum_packet_size(); break;
      case id::wildcard_subscription_available:
        out.wildcard_subscription_available = *p.wildcard_subscription_available();
        break;
      case id::subscription_identifier_available:
        out.subscription_identifier_available = *p.subscription_identifier_available();
        break;
      case id::shared_subscription_available:
        out.shared_subscription_available = *p.shared_subscription_available();
        break;
      default: break;  // the decoder sets no other bit
    }
  }
  // The lists are read off the wire once, into arrays the storage keeps.
  out.user_property_count = 0;
  if (present & bit(id::user_property)) {
    out.user_property_count = copy_list(p.user_properties(), ups, [](const user_property& u) {
      return mqttconn_user_property{bytes_of(u.name), bytes_of(u.value)};
    });
    out.user_properties = ups.data();
  }
  out.subscription_identifier_count = 0;
  if (present & bit(id::subscription_identifier)) {
    out.subscription_identifier_count = copy_list(p.subscription_identifiers(), ids, [](std::uint32_t v) { return v; });
    out.subscription_identifiers = ids.data();
  }
}

namespace {

// Byte properties that C++ keeps as bool: only 0 and 1 can go on the wire.
int flag(std::uint8_t v, bool& out, const char* field, mistake& m) noexcept {
  if (v > 1) return m.set(MQTTCONN_ERR_INVALID_PACKET, field, "is not 0 or 1");
  out = v != 0;
  return MQTTCONN_OK;
}

int text(const mqttconn_bytes& b, std::string_view& out, const char* field, mistake& m) noexcept {
  if (!valid(b)) return m.set(MQTTCONN_ERR_ARGUMENT, field, "is NULL with a nonzero length");
  out = view_of(b);
  return MQTTCONN_OK;
}

int data(const mqttconn_bytes& b, binary& out, const char* field, mistake& m) noexcept {
  if (!valid(b)) return m.set(MQTTCONN_ERR_ARGUMENT, field, "is NULL with a nonzero length");
  out = binary_of(b);
  return MQTTCONN_OK;
}

int one(const mqttconn_properties& c, id i, properties& out, mistake& m) {
  bool f = false;
  std::string_view s;
  binary b;
  int rc = MQTTCONN_OK;
  switch (i) {
    case id::payload_format_indicator:
      if ((rc = flag(c.payload_format_indicator, f, "Payload Format Indicator", m)) == 0) out.set_payload_format_indicator(f);
      break;
    case id::message_expiry_interval: out.set_message_expiry_interval(c.message_expiry_interval); break;
    case id::content_type:
      if ((rc = text(c.content_type, s, "Content Type", m)) == 0) out.set_content_type(s);
      break;
    case id::response_topic:
      if ((rc = text(c.response_topic, s, "Response Topic", m)) == 0) out.set_response_topic(s);
      break;
    case id::correlation_data:
      if ((rc = data(c.correlation_data, b, "Correlation Data", m)) == 0) out.set_correlation_data(b);
      break;
    case id::session_expiry_interval: out.set_session_expiry_interval(c.session_expiry_interval); break;
    case id::assigned_client_identifier:
      if ((rc = text(c.assigned_client_identifier, s, "Assigned Client Identifier", m)) == 0) {
        out.set_assigned_client_identifier(s);
      }
      break;
    case id::server_keep_alive: out.set_server_keep_alive(c.server_keep_alive); break;
    case id::authentication_method:
      if ((rc = text(c.authentication_method, s, "Authentication Method", m)) == 0) out.set_authentication_method(s);
      break;
    case id::authentication_data:
      if ((rc = data(c.authentication_data, b, "Authentication Data", m)) == 0) out.set_authentication_data(b);
      break;
    case id::request_problem_information:
      if ((rc = flag(c.request_problem_information, f, "Request Problem Information", m)) == 0) {
        out.set_request_problem_information(f);
      }
      break;
    case id::will_delay_interval: out.set_will_delay_interval(c.will_delay_interval); break;
    case id::request_response_information:
      if ((rc = flag(c.request_response_information, f, "Request Response Information", m)) == 0) {
        out.set_request_response_information(f);
      }
      break;
    case id::response_information:
      if ((rc = text(c.response_information, s, "Response Information", m)) == 0) out.set_response_information(s);
      break;
    case id::server_reference:
      if ((rc = text(c.server_reference, s, "Server Reference", m)) == 0) out.set_server_reference(s);
      break;
    case id::reason_string:
      if ((rc = text(c.reason_string, s, "Reason String", m)) == 0) out.set_reason_string(s);
      break;
    case id::receive_maximum: out.set_receive_maximum(c.receive_maximum); break;
    case id::topic_alias_maximum: out.set_topic_alias_maximum(c.topic_alias_maximum); break;
    case id::topic_alias: out.set_topic_alias(c.topic_alias); break;
    case id::maximum_qos: out.set_maximum_qos(c.maximum_qos); break;
    case id::retain_available:
      if ((rc = flag(c.retain_available, f, "Retain Available", m)) == 0) out.set_retain_available(f);
      break;
    case id::maximum_packet_size: out.set_maximum_packet_size(c.maximum_packet_size); break;
    case id::wildcard_subscription_available:
      if ((rc = flag(c.wildcard_subscription_available, f, "Wildcard Subscription Available", m)) == 0) {
        out.set_wildcard_subscription_available(f);
      }
      break;
    case id::subscription_identifier_available:
      if ((rc = flag(c.subscription_identifier_available, f, "Subscription Identifier Available", m)) == 0) {
        out.set_subscription_identifier_available(f);
      }
      break;
    case id::shared_subscription_available:
      if ((rc = flag(c.shared_subscription_available, f, "Shared Subscription Available", m)) == 0) {
        out.set_shared_subscription_available(f);
      }
      break;
    default: break;  // the lists, handled by the caller
  }
  return rc;
}

}  // namespace

int props_from_c_slow(const mqttconn_properties& block, send_storage& s, bool will, properties& out, mistake& m) {
  const mqttconn_properties* c = &block;
  if (c->struct_size < first_release_size<mqttconn_properties>) {
    return m.set(MQTTCONN_ERR_STRUCT_SIZE, "properties", "have a struct_size below the first release's");
  }
  if (c->present & ~known_ids) {
    return m.set(MQTTCONN_ERR_ARGUMENT, "properties", "mark a property id that MQTT 5.0 does not define");
  }
  for (std::uint64_t b = c->present & ~list_ids; b != 0; b &= b - 1) {
    if (const int rc = one(*c, static_cast<id>(lowest(b)), out, m); rc != MQTTCONN_OK) return rc;
  }
  if (c->user_property_count != 0) {
    if (c->user_properties == nullptr) return m.set(MQTTCONN_ERR_ARGUMENT, "User Property", "array is NULL");
    const std::size_t n = c->user_property_count;
    user_property* list = s.ups(n, will);
    for (std::size_t i = 0; i < n; ++i) {
      const mqttconn_user_property& u = c->user_properties[i];
      if (!valid(u.name) || !valid(u.value)) {
        return m.set(MQTTCONN_ERR_ARGUMENT, "User Property", "is NULL with a nonzero length");
      }
      ::new (static_cast<void*>(list + i)) user_property{view_of(u.name), view_of(u.value)};
    }
    out.set_user_properties(std::span<const user_property>(list, n));
  }
  if (c->subscription_identifier_count != 0) {
    if (c->subscription_identifiers == nullptr) {
      return m.set(MQTTCONN_ERR_ARGUMENT, "Subscription Identifier", "array is NULL");
    }
    out.set_subscription_identifiers(
        std::span<const std::uint32_t>(c->subscription_identifiers, c->subscription_identifier_count));
  }
  return MQTTCONN_OK;
}

}  // namespace mqttconn::capi
