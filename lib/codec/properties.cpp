#include "property_reader.hpp"

#include <array>
#include <bit>

#include "utf8.hpp"

namespace mqttconn {
namespace detail {
namespace {

constexpr std::uint16_t bit(property_scope s) { return scope_bit(s); }

const property_info& info(std::uint8_t id) noexcept { return property_info_of(id); }

std::uint16_t be16(const std::uint8_t* p) noexcept { return std::uint16_t(p[0] << 8 | p[1]); }

// Size of one validated property whose identifier byte is at p.
std::size_t wire_size(const std::uint8_t* p) noexcept {
  switch (info(p[0]).type) {
    case wire_type::byte: return 2;
    case wire_type::two: return 3;
    case wire_type::four: return 5;
    case wire_type::vbi: return 1 + vbi_read(p + 1, 4).len;
    case wire_type::text:
    case wire_type::data: return 3 + be16(p + 1);
    case wire_type::pair: {
      const std::size_t a = be16(p + 1);
      return 5 + a + be16(p + 3 + a);
    }
    case wire_type::none: break;
  }
  return 1;  // unreachable on validated bytes
}

}  // namespace

template void read_properties<properties>(reader&, property_scope, properties&) noexcept;

bool tx_check::str_slow(std::string_view s, const char* field) noexcept {
  if (s.size() > 65535) return refuse(field, "is longer than 65,535 bytes");
  const utf8_check u =
      utf8_validate(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(), false);
  if (u.fault != utf8_fault::none) return refuse(field, utf8_fault_text(u.fault));
  return true;
}


template bool check_properties<properties>(const properties&, property_scope, tx_check&) noexcept;
template std::size_t properties_size<properties>(const properties&) noexcept;

void wire_next(const std::uint8_t*& p, user_property& out) noexcept {
  while (*p != 0x26) p += wire_size(p);
  const std::size_t a = be16(p + 1);
  const std::size_t b = be16(p + 3 + a);
  out.name = {reinterpret_cast<const char*>(p + 3), a};
  out.value = {reinterpret_cast<const char*>(p + 5 + a), b};
  p += 5 + a + b;
}

void wire_next(const std::uint8_t*& p, std::uint32_t& out) noexcept {
  while (*p != 0x0B) p += wire_size(p);
  const vbi_parse v = vbi_read(p + 1, 4);
  out = v.value;
  p += 1 + v.len;
}

}  // namespace detail

bool property_allowed(property_id id, property_scope scope) noexcept {
  return (detail::info(static_cast<std::uint8_t>(id)).scopes & detail::bit(scope)) != 0;
}

const char* to_string(property_id id) noexcept {
  return detail::info(static_cast<std::uint8_t>(id)).name;
}

bool operator==(const properties& a, const properties& b) noexcept {
  return a.present() == b.present() && a.payload_format_indicator() == b.payload_format_indicator() &&
         a.message_expiry_interval() == b.message_expiry_interval() && a.content_type() == b.content_type() &&
         a.response_topic() == b.response_topic() && a.correlation_data() == b.correlation_data() &&
         a.subscription_identifiers() == b.subscription_identifiers() &&
         a.session_expiry_interval() == b.session_expiry_interval() &&
         a.assigned_client_identifier() == b.assigned_client_identifier() &&
         a.server_keep_alive() == b.server_keep_alive() &&
         a.authentication_method() == b.authentication_method() &&
         a.authentication_data() == b.authentication_data() &&
         a.request_problem_information() == b.request_problem_information() &&
         a.will_delay_interval() == b.will_delay_interval() &&
         a.request_response_information() == b.request_response_information() &&
         a.response_information() == b.response_information() && a.server_reference() == b.server_reference() &&
         a.reason_string() == b.reason_string() && a.receive_maximum() == b.receive_maximum() &&
         a.topic_alias_maximum() == b.topic_alias_maximum() && a.topic_alias() == b.topic_alias() &&
         a.maximum_qos() == b.maximum_qos() && a.retain_available() == b.retain_available() &&
         a.user_properties() == b.user_properties() && a.maximum_packet_size() == b.maximum_packet_size() &&
         a.wildcard_subscription_available() == b.wildcard_subscription_available() &&
         a.subscription_identifier_available() == b.subscription_identifier_available() &&
         a.shared_subscription_available() == b.shared_subscription_available();
}

}  // namespace mqttconn
