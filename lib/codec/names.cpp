// Names of codes and packet types, and error::message().
#include <cstdio>
#include <cstring>

#include "mqttconn/result.hpp"
#include "mqttconn/types.hpp"

namespace mqttconn {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::need_more: return "need more bytes";
    case errc::malformed_packet: return "malformed packet";
    case errc::protocol_error: return "protocol error";
    case errc::unsupported_protocol_version: return "unsupported protocol version";
    case errc::packet_too_large: return "packet too large";
    case errc::topic_name_invalid: return "topic name invalid";
    case errc::topic_filter_invalid: return "topic filter invalid";
    case errc::topic_alias_invalid: return "topic alias invalid";
    case errc::payload_format_invalid: return "payload format invalid";
    case errc::invalid_packet: return "packet cannot be encoded";
    case errc::buffer_too_small: return "buffer too small";
    case errc::decoder_failed: return "decoder already failed";
    case errc::wrong_state: return "not allowed now";
    case errc::event_pending: return "an event is pending";
    case errc::output_full: return "output queue full";
    case errc::closed: return "connection closed";
  }
  return "unknown error";
}

const char* to_string(packet_type t) noexcept {
  static constexpr const char* names[] = {
      "reserved", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
      "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"};
  const auto i = static_cast<std::uint8_t>(t);
  return i < 16 ? names[i] : "reserved";
}

std::string error::message() const {
  std::string m;
  if (packet != 0) {
    m += to_string(static_cast<packet_type>(packet));
    m += ' ';
  }
  m += field;
  m += ' ';
  m += what;
  char tail[64];
  std::snprintf(tail, sizeof tail, " (%s, reason 0x%02X) at byte %llu", to_string(code),
                unsigned{reason_code}, static_cast<unsigned long long>(offset));
  m += tail;
  return m;
}

bool operator==(const error& a, const error& b) noexcept {
  return a.code == b.code && a.reason_code == b.reason_code && a.packet == b.packet &&
         a.offset == b.offset && std::strcmp(a.field, b.field) == 0 && std::strcmp(a.what, b.what) == 0;
}

}  // namespace mqttconn
