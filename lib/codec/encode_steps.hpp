// The two steps of every encoder, for layers that need the size before they have the buffer
// (the connection's output queue): validate-and-measure, then write. Defined in encode.hpp and
// instantiated in each packet's file; this header only declares them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mqttconn/packet.hpp"
#include "mqttconn/result.hpp"
#include "varint.hpp"

namespace mqttconn::detail {

// Validates p for level v and measures its body (all after the fixed header). On refusal
// fills `e` and returns false.
template <class P>
bool body_size(const P& p, protocol_version v, std::size_t& body, error& e) noexcept;

// Writes the packet whose body size body_size() gave; returns the byte after it.
template <class P>
std::uint8_t* write_packet(std::uint8_t* out, const P& p, protocol_version v, std::size_t body) noexcept;

// Writes a PUBLISH without its payload (body as for the whole packet).
std::uint8_t* write_publish_header(std::uint8_t* out, const publish& p, protocol_version v,
                                   std::size_t body) noexcept;

inline std::size_t packet_size(std::size_t body) noexcept {
  return 1 + vbi_size(static_cast<std::uint32_t>(body)) + body;
}

}  // namespace mqttconn::detail
