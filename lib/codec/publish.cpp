// PUBLISH (5.0 §3.3, 3.1.1 §3.3).
#include "encode.hpp"
#include "publish_rules.hpp"

namespace mqttconn {
namespace detail {

void decode_body(reader& r, std::uint8_t flags, protocol_version v, publish& out) noexcept {
  decode_publish(r, flags, v, out);
}

bool check(const publish& p, protocol_version v, tx_check& c) noexcept { return check_publish(p, v, c); }

std::uint8_t first_byte(const publish& p, protocol_version) noexcept { return publish_first_byte(p); }

template <class Sink>
void put_body(Sink& s, const publish& p, protocol_version v) noexcept {
  put_publish_body(s, p, v);
}

}  // namespace detail

result<std::size_t> publish_header_size(const publish& p, protocol_version v) noexcept {
  std::size_t body;
  error e;
  if (!detail::body_size(p, v, body, e)) return e;
  return detail::packet_size(body) - p.payload.size();
}

result<std::size_t> encode_publish_header(const publish& p, protocol_version v,
                                          std::span<std::uint8_t> out) noexcept {
  std::size_t body;
  error e;
  if (!detail::body_size(p, v, body, e)) return e;
  const std::size_t header = detail::packet_size(body) - p.payload.size();
  if (out.size() < header) {
    return detail::tagged<publish>({errc::buffer_too_small, 0, 0, 0, "output buffer", "is too small"});
  }
  detail::write_publish_header(out.data(), p, v, body);
  return header;
}

std::uint8_t* detail::write_publish_header(std::uint8_t* out, const publish& p, protocol_version v,
                                           std::size_t body) noexcept {
  byte_writer w{out};
  w.u8(first_byte(p, v));
  w.vbi(static_cast<std::uint32_t>(body));
  put_publish_header(w, p, v);
  return w.p;
}

}  // namespace mqttconn

MQTTCONN_INSTANTIATE_ENCODER(publish)
