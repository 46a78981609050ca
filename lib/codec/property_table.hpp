// Table 2-4 of 5.0 as data: each property's wire type, the blocks it may appear in, its name;
// and the masks derived from it that the checks and the size count use. Shared by the decoder
// (properties.cpp) and the encoder templates (properties.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>

#include "mqttconn/properties.hpp"

namespace mqttconn::detail {

enum class wire_type : std::uint8_t { none, byte, two, four, vbi, text, data, pair };

struct property_info {
  wire_type type = wire_type::none;
  std::uint16_t scopes = 0;  // one bit per property_scope
  const char* name = "unknown property";
};

constexpr std::uint16_t scope_bit(property_scope s) noexcept { return std::uint16_t(1u << unsigned(s)); }

// Table 2-4.
inline constexpr std::array<property_info, 0x2B> property_table = [] {
  using sc = property_scope;
  constexpr std::uint16_t acks = scope_bit(sc::puback) | scope_bit(sc::pubrec) | scope_bit(sc::pubrel) |
                                 scope_bit(sc::pubcomp) | scope_bit(sc::suback) | scope_bit(sc::unsuback);
  constexpr std::uint16_t message = scope_bit(sc::publish) | scope_bit(sc::will);
  constexpr std::uint16_t all = 0x3FFF;
  auto in = [](std::initializer_list<sc> l) {
    std::uint16_t m = 0;
    for (sc s : l) m |= scope_bit(s);
    return m;
  };
  std::array<property_info, 0x2B> t{};
  using w = wire_type;
  t[0x01] = {w::byte, message, "Payload Format Indicator"};
  t[0x02] = {w::four, message, "Message Expiry Interval"};
  t[0x03] = {w::text, message, "Content Type"};
  t[0x08] = {w::text, message, "Response Topic"};
  t[0x09] = {w::data, message, "Correlation Data"};
  t[0x0B] = {w::vbi, in({sc::publish, sc::subscribe}), "Subscription Identifier"};
  t[0x11] = {w::four, in({sc::connect, sc::connack, sc::disconnect}), "Session Expiry Interval"};
  t[0x12] = {w::text, in({sc::connack}), "Assigned Client Identifier"};
  t[0x13] = {w::two, in({sc::connack}), "Server Keep Alive"};
  t[0x15] = {w::text, in({sc::connect, sc::connack, sc::auth}), "Authentication Method"};
  t[0x16] = {w::data, in({sc::connect, sc::connack, sc::auth}), "Authentication Data"};
  t[0x17] = {w::byte, in({sc::connect}), "Request Problem Information"};
  t[0x18] = {w::four, in({sc::will}), "Will Delay Interval"};
  t[0x19] = {w::byte, in({sc::connect}), "Request Response Information"};
  t[0x1A] = {w::text, in({sc::connack}), "Response Information"};
  t[0x1C] = {w::text, in({sc::connack, sc::disconnect}), "Server Reference"};
  t[0x1F] = {w::text, std::uint16_t(acks | in({sc::connack, sc::disconnect, sc::auth})), "Reason String"};
  t[0x21] = {w::two, in({sc::connect, sc::connack}), "Receive Maximum"};
  t[0x22] = {w::two, in({sc::connect, sc::connack}), "Topic Alias Maximum"};
  t[0x23] = {w::two, in({sc::publish}), "Topic Alias"};
  t[0x24] = {w::byte, in({sc::connack}), "Maximum QoS"};
  t[0x25] = {w::byte, in({sc::connack}), "Retain Available"};
  t[0x26] = {w::pair, all, "User Property"};
  t[0x27] = {w::four, in({sc::connect, sc::connack}), "Maximum Packet Size"};
  t[0x28] = {w::byte, in({sc::connack}), "Wildcard Subscription Available"};
  t[0x29] = {w::byte, in({sc::connack}), "Subscription Identifier Available"};
  t[0x2A] = {w::byte, in({sc::connack}), "Shared Subscription Available"};
  return t;
}();

inline const property_info& property_info_of(std::uint8_t id) noexcept {
  static constexpr property_info unknown{};
  return id < property_table.size() ? property_table[id] : unknown;
}

// Bit n set: property n may appear in a block of this scope.
inline constexpr std::array<std::uint64_t, 14> allowed_property_masks = [] {
  std::array<std::uint64_t, 14> m{};
  for (unsigned s = 0; s < m.size(); ++s) {
    for (unsigned id = 0; id < property_table.size(); ++id) {
      if (property_table[id].scopes & (1u << s)) m[s] |= std::uint64_t{1} << id;
    }
  }
  return m;
}();

// Masks of the properties of one wire type.
constexpr std::uint64_t properties_of_type(wire_type w) noexcept {
  std::uint64_t m = 0;
  for (unsigned id = 0; id < property_table.size(); ++id) {
    if (property_table[id].type == w) m |= std::uint64_t{1} << id;
  }
  return m;
}
// The fixed-width properties by their size on the wire (identifier included): 2, 3, 5 bytes.
inline constexpr std::uint64_t two_byte_properties = properties_of_type(wire_type::byte),
                               three_byte_properties = properties_of_type(wire_type::two),
                               five_byte_properties = properties_of_type(wire_type::four),
                               fixed_width_properties =
                                   two_byte_properties | three_byte_properties | five_byte_properties;
// The two lists, present by their length.
inline constexpr std::uint64_t list_properties =
    std::uint64_t{1} << unsigned(property_id::subscription_identifier) |
    std::uint64_t{1} << unsigned(property_id::user_property);

// Set bits of a mask with few of them. (std::popcount is a library call on baseline x86-64.)
constexpr unsigned few_bits(std::uint64_t m) noexcept {
  unsigned n = 0;
  for (; m != 0; m &= m - 1) ++n;
  return n;
}

}  // namespace mqttconn::detail
