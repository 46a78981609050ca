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

inline unsigned lowest(std::uint64_t m) noexcept { return static_cast<unsigned>(__builtin_ctzll(m)); }

}  // namespace

void props_to_c_slow(const properties& p, mqttconn_properties& out, c_user_properties& ups, c_ids& ids) {
  const std::uint64_t present = p.present();
  out.present = present;
  for (std::uint64_t m = present & ~c_list_ids; m != 0; m &= m - 1) {
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
    out.user_property_count = list_to_c(p.user_properties(), ups);
    out.user_properties = ups.data();
  }
  out.subscription_identifier_count = 0;
  if (present & bit(id::subscription_identifier)) {
    out.subscription_identifier_count = list_to_c(p.subscription_identifiers(), ids);
    out.subscription_identifiers = ids.data();
  }
}

namespace {

template <class T, class C, class F>
std::size_t copy_list(const wire_list<T>& list, std::pmr::vector<C>& into, F convert) {
  const std::size_t n = list.size();
  if (into.size() < n) into.resize(n);
  C* d = into.data();
  for (const T& x : list) *d++ = convert(x);
  return n;
}

}  // namespace

std::size_t list_to_c(const wire_list<user_property>& list, c_user_properties& into) {
  return copy_list(list, into, [](const user_property& u) {
    return mqttconn_user_property{bytes_of(u.name), bytes_of(u.value)};
  });
}

std::size_t list_to_c(const wire_list<std::uint32_t>& list, c_ids& into) {
  return copy_list(list, into, [](std::uint32_t v) { return v; });
}

namespace {

// Sets the value of property i, which props_mistake() accepted, into `out`.
void one(const mqttconn_properties& c, id i, properties& out) noexcept {
  switch (i) {
    case id::payload_format_indicator: out.set_payload_format_indicator(c.payload_format_indicator != 0); break;
    case id::message_expiry_interval: out.set_message_expiry_interval(c.message_expiry_interval); break;
    case id::content_type: out.set_content_type(view_of(c.content_type)); break;
    case id::response_topic: out.set_response_topic(view_of(c.response_topic)); break;
    case id::correlation_data: out.set_correlation_data(binary_of(c.correlation_data)); break;
    case id::session_expiry_interval: out.set_session_expiry_interval(c.session_expiry_interval); break;
    case id::assigned_client_identifier: out.set_assigned_client_identifier(view_of(c.assigned_client_identifier)); break;
    case id::server_keep_alive: out.set_server_keep_alive(c.server_keep_alive); break;
    case id::authentication_method: out.set_authentication_method(view_of(c.authentication_method)); break;
    case id::authentication_data: out.set_authentication_data(binary_of(c.authentication_data)); break;
    case id::request_problem_information:
      out.set_request_problem_information(c.request_problem_information != 0);
      break;
    case id::will_delay_interval: out.set_will_delay_interval(c.will_delay_interval); break;
    case id::request_response_information:
      out.set_request_response_information(c.request_response_information != 0);
      break;
    case id::response_information: out.set_response_information(view_of(c.response_information)); break;
    case id::server_reference: out.set_server_reference(view_of(c.server_reference)); break;
    case id::reason_string: out.set_reason_string(view_of(c.reason_string)); break;
    case id::receive_maximum: out.set_receive_maximum(c.receive_maximum); break;
    case id::topic_alias_maximum: out.set_topic_alias_maximum(c.topic_alias_maximum); break;
    case id::topic_alias: out.set_topic_alias(c.topic_alias); break;
    case id::maximum_qos: out.set_maximum_qos(c.maximum_qos); break;
    case id::retain_available: out.set_retain_available(c.retain_available != 0); break;
    case id::maximum_packet_size: out.set_maximum_packet_size(c.maximum_packet_size); break;
    case id::wildcard_subscription_available:
      out.set_wildcard_subscription_available(c.wildcard_subscription_available != 0);
      break;
    case id::subscription_identifier_available:
      out.set_subscription_identifier_available(c.subscription_identifier_available != 0);
      break;
    case id::shared_subscription_available:
      out.set_shared_subscription_available(c.shared_subscription_available != 0);
      break;
    default: break;  // the lists, handled by the caller
  }
}

}  // namespace

void props_convert(const mqttconn_properties& c, send_storage& s, bool will, properties& out) {
  for (std::uint64_t b = c.present & ~c_list_ids; b != 0; b &= b - 1) one(c, static_cast<id>(lowest(b)), out);
  if (const std::size_t n = c.user_property_count; n != 0) {
    user_property* list = s.ups(n, will);
    for (std::size_t i = 0; i < n; ++i) {
      const mqttconn_user_property& u = c.user_properties[i];
      ::new (static_cast<void*>(list + i)) user_property{view_of(u.name), view_of(u.value)};
    }
    out.set_user_properties(std::span<const user_property>(list, n));
  }
  if (c.subscription_identifier_count != 0) {
    out.set_subscription_identifiers(
        std::span<const std::uint32_t>(c.subscription_identifiers, c.subscription_identifier_count));
  }
}

}  // namespace mqttconn::capi
