// Encoders for the packet variant: dispatch to the per-type instantiations.
#include "mqttconn/codec.hpp"

namespace mqttconn {

result<std::size_t> encoded_size(const packet& p, protocol_version v) noexcept {
  return std::visit([v](const auto& x) { return encoded_size(x, v); }, p);
}

result<std::size_t> encode(const packet& p, protocol_version v, std::span<std::uint8_t> out) noexcept {
  return std::visit([v, out](const auto& x) { return encode(x, v, out); }, p);
}

result<std::size_t> encode(const packet& p, protocol_version v, std::vector<std::uint8_t>& out) {
  return std::visit([v, &out](const auto& x) { return encode(x, v, out); }, p);
}

}  // namespace mqttconn
