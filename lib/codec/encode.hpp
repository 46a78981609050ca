// The encoder driver shared by every packet kind: validate, measure, then write the fixed
// header and the body. Included by each packet file, which instantiates it for its type with
// MQTTCONN_INSTANTIATE_ENCODER so the whole path inlines.
#pragma once

#include <vector>

#include "encode_steps.hpp"
#include "mqttconn/codec.hpp"
#include "packets.hpp"

namespace mqttconn {
namespace detail {

// P is a packet struct, or a view that encodes as the packet struct P::encodes_as.
template <class P>
constexpr std::uint8_t type_number() noexcept {
  if constexpr (requires { typename P::encodes_as; }) {
    return static_cast<std::uint8_t>(packet_type_of<typename P::encodes_as>);
  } else {
    return static_cast<std::uint8_t>(packet_type_of<P>);
  }
}

template <class P>
error tagged(error e) noexcept {
  e.packet = type_number<P>();
  return e;
}

// Validates p and measures its body (everything after the fixed header). On refusal fills
// `e` and returns false.
template <class P>
bool body_size(const P& p, protocol_version v, std::size_t& body, error& e) noexcept {
  tx_check c(e);
  const bool ok = (v == protocol_version::v3_1 || v == protocol_version::v3_1_1 || v == protocol_version::v5)
                      ? check(p, v, c)
                      : c.refuse("protocol level", "is not 3, 4 or 5", 0x84);
  if (ok) {
    size_counter n;
    put_body(n, p, v);
    if (n.n <= vbi_max) {
      body = n.n;
      return true;
    }
    e = {errc::invalid_packet, 0x95, 0, 0, "Remaining Length", "exceeds 268,435,455"};
  }
  e.packet = type_number<P>();
  return false;
}

template <class P>
std::uint8_t* write_packet(std::uint8_t* out, const P& p, protocol_version v, std::size_t body) noexcept {
  byte_writer w{out};
  w.u8(first_byte(p, v));
  w.vbi(static_cast<std::uint32_t>(body));
  put_body(w, p, v);
  return w.p;
}

}  // namespace detail

template <class P>
result<std::size_t> encoded_size(const P& p, protocol_version v) noexcept {
  std::size_t body;
  error e;
  if (!detail::body_size(p, v, body, e)) return e;
  return detail::packet_size(body);
}

template <class P>
result<std::size_t> encode(const P& p, protocol_version v, std::span<std::uint8_t> out) noexcept {
  std::size_t body;
  error e;
  if (!detail::body_size(p, v, body, e)) return e;
  const std::size_t total = detail::packet_size(body);
  if (out.size() < total) {
    return detail::tagged<P>({errc::buffer_too_small, 0, 0, 0, "output buffer", "is too small"});
  }
  detail::write_packet(out.data(), p, v, body);
  return total;
}

template <class P>
result<std::size_t> encode(const P& p, protocol_version v, std::vector<std::uint8_t>& out) {
  std::size_t body;
  error e;
  if (!detail::body_size(p, v, body, e)) return e;
  const std::size_t total = detail::packet_size(body);
  const std::size_t at = out.size();
  out.resize(at + total);
  detail::write_packet(out.data() + at, p, v, body);
  return total;
}

}  // namespace mqttconn

#define MQTTCONN_INSTANTIATE_ENCODER(P)                                                      \
  template bool mqttconn::detail::body_size<mqttconn::P>(const mqttconn::P&, mqttconn::protocol_version, \
                                                         std::size_t&, mqttconn::error&) noexcept; \
  template std::uint8_t* mqttconn::detail::write_packet<mqttconn::P>(                       \
      std::uint8_t*, const mqttconn::P&, mqttconn::protocol_version, std::size_t) noexcept;  \
  template mqttconn::result<std::size_t> mqttconn::encoded_size<mqttconn::P>(              \
      const mqttconn::P&, mqttconn::protocol_version) noexcept;                             \
  template mqttconn::result<std::size_t> mqttconn::encode<mqttconn::P>(                    \
      const mqttconn::P&, mqttconn::protocol_version, std::span<std::uint8_t>) noexcept;   \
  template mqttconn::result<std::size_t> mqttconn::encode<mqttconn::P>(                    \
      const mqttconn::P&, mqttconn::protocol_version, std::vector<std::uint8_t>&);

// For a file that includes this header for another source type but calls the encoders of
// packet P: P's instantiations are its packet file's, not made again here.
#define MQTTCONN_EXTERN_ENCODER(P)                                                            \
  extern template bool mqttconn::detail::body_size<mqttconn::P>(                             \
      const mqttconn::P&, mqttconn::protocol_version, std::size_t&, mqttconn::error&) noexcept; \
  extern template std::uint8_t* mqttconn::detail::write_packet<mqttconn::P>(                 \
      std::uint8_t*, const mqttconn::P&, mqttconn::protocol_version, std::size_t) noexcept;  \
  extern template mqttconn::result<std::size_t> mqttconn::encoded_size<mqttconn::P>(        \
      const mqttconn::P&, mqttconn::protocol_version) noexcept;                             \
  extern template mqttconn::result<std::size_t> mqttconn::encode<mqttconn::P>(              \
      const mqttconn::P&, mqttconn::protocol_version, std::span<std::uint8_t>) noexcept;   \
  extern template mqttconn::result<std::size_t> mqttconn::encode<mqttconn::P>(              \
      const mqttconn::P&, mqttconn::protocol_version, std::vector<std::uint8_t>&);
