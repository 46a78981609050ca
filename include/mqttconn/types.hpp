// Vocabulary types shared by every layer: byte views, protocol levels, packet kinds, QoS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace mqttconn {

// Input bytes: always borrowed, never owned.
using bytes = std::span<const std::uint8_t>;

// Protocol level byte of CONNECT. Level 3 is named "MQIsdp" on the wire, 4 and 5 "MQTT".
enum class protocol_version : std::uint8_t { v3_1 = 3, v3_1_1 = 4, v5 = 5 };

// Control packet type, the high nibble of the first byte.
enum class packet_type : std::uint8_t {
  connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp,
  subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth,
};

enum class qos : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

// "CONNECT", "PUBLISH", ...; "reserved" for anything else. Never null.
const char* to_string(packet_type t) noexcept;

// A view of binary data (Binary Data fields, payloads). Unlike std::span it compares by
// content, so packets holding it compare with ==.
class binary {
 public:
  constexpr binary() noexcept = default;
  constexpr binary(const std::uint8_t* p, std::size_t n) noexcept : p_(p), n_(n) {}
  constexpr binary(bytes b) noexcept : p_(b.data()), n_(b.size()) {}  // NOLINT: implicit
  // The bytes of a string (handy for text payloads); the string must outlive the view.
  explicit binary(std::string_view s) noexcept
      : p_(reinterpret_cast<const std::uint8_t*>(s.data())), n_(s.size()) {}

  constexpr const std::uint8_t* data() const noexcept { return p_; }
  constexpr std::size_t size() const noexcept { return n_; }
  constexpr bool empty() const noexcept { return n_ == 0; }
  constexpr const std::uint8_t* begin() const noexcept { return p_; }
  constexpr const std::uint8_t* end() const noexcept { return p_ + n_; }
  constexpr operator bytes() const noexcept { return {p_, n_}; }  // NOLINT: implicit
  std::string_view as_string() const noexcept {
    return {reinterpret_cast<const char*>(p_), n_};
  }

  friend bool operator==(const binary& a, const binary& b) noexcept {
    return a.n_ == b.n_ && (a.n_ == 0 || std::memcmp(a.p_, b.p_, a.n_) == 0);
  }

 private:
  const std::uint8_t* p_ = nullptr;
  std::size_t n_ = 0;
};

}  // namespace mqttconn
