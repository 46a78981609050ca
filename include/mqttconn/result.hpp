// Error values and result<T>: how every mqttconn operation reports failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace mqttconn {

// What went wrong. Decoding failures name the MQTT 5 reason code the peer should be sent in
// error::reason_code; the errc groups them by what the caller must do.
enum class errc : std::uint8_t {
  need_more = 1,                 // not a failure: the input ends inside a packet, feed more
  malformed_packet,              // 0x81: bytes that cannot be parsed
  protocol_error,                // 0x82 (and other >= 0x80 codes): parsed, but not allowed
  unsupported_protocol_version,  // 0x84: CONNECT of a level we do not speak
  packet_too_large,              // 0x95: larger than the configured maximum packet size
  topic_name_invalid,            // 0x90: wildcard or empty topic in PUBLISH
  topic_filter_invalid,          // 0x8F: filter syntax, shared-subscription syntax
  topic_alias_invalid,           // 0x94: topic alias 0
  payload_format_invalid,        // 0x99: format indicator 1 with non-UTF-8 payload (opt-in)
  invalid_packet,                // encoder: the caller's packet cannot be sent legally
  buffer_too_small,              // encoder: the caller's output span is too short
  decoder_failed,                // a stream decoder that already failed was called again
  // Connection: the caller's mistakes (the connection stays usable).
  wrong_state,                   // not allowed in this state, role or protocol level
  event_pending,                 // receive() before the pending event was taken
  output_full,                   // the output queue would exceed its limit
  // Connection: over.
  closed,                        // the connection is closed; nothing more can be sent or received
};

// Human-readable name of a code, e.g. "malformed packet". Never null.
const char* to_string(errc code) noexcept;

// A failure. `field` names what was being read or written ("topic name"), `what` says what
// was wrong with it ("is not well-formed UTF-8"); both are static strings. `packet` is the
// type number of the packet concerned, 0 if not known yet. `offset` is the byte offset of the
// fault: in the input of decode(), in the whole stream for a stream_decoder, 0 for encoders.
struct error {
  errc code = errc::malformed_packet;
  std::uint8_t reason_code = 0x81;
  std::uint8_t packet = 0;
  std::uint64_t offset = 0;
  const char* field = "";
  const char* what = "";

  // "PUBLISH topic name is not well-formed UTF-8 (malformed packet, reason 0x81) at byte 7"
  std::string message() const;
  friend bool operator==(const error& a, const error& b) noexcept;
};

// The subset of C++23 std::expected that mqttconn needs.
template <class T>
class [[nodiscard]] result {
 public:
  result(const T& v) : v_(std::in_place_index<0>, v) {}  // NOLINT: implicit by design
  result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}
  result(const mqttconn::error& e) : v_(std::in_place_index<1>, e) {}
  template <class... A>
  explicit result(std::in_place_t, A&&... a) : v_(std::in_place_index<0>, std::forward<A>(a)...) {}

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & { return *std::get_if<0>(&v_); }
  const T& value() const& { return *std::get_if<0>(&v_); }
  T&& value() && { return std::move(*std::get_if<0>(&v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return std::get_if<0>(&v_); }
  const T* operator->() const { return std::get_if<0>(&v_); }
  const mqttconn::error& error() const { return *std::get_if<1>(&v_); }

 private:
  std::variant<T, mqttconn::error> v_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(const mqttconn::error& e) : e_(e) {}  // NOLINT: implicit by design
  bool has_value() const noexcept { return !e_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  const mqttconn::error& error() const { return *e_; }

 private:
  std::optional<mqttconn::error> e_;  // success costs one flag, not an error's worth of stores
};

}  // namespace mqttconn
