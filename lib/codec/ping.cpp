// PINGREQ and PINGRESP (5.0 §3.12-3.13, 3.1.1 §3.12-3.13): a fixed header and nothing else.
#include "encode.hpp"

namespace mqttconn::detail {

void decode_body(reader& r, std::uint8_t, protocol_version, pingreq&) noexcept { r.expect_end("PINGREQ"); }
void decode_body(reader& r, std::uint8_t, protocol_version, pingresp&) noexcept { r.expect_end("PINGRESP"); }
bool check(const pingreq&, protocol_version, tx_check&) noexcept { return true; }
bool check(const pingresp&, protocol_version, tx_check&) noexcept { return true; }
std::uint8_t first_byte(const pingreq&, protocol_version) noexcept { return 0xC0; }
std::uint8_t first_byte(const pingresp&, protocol_version) noexcept { return 0xD0; }
template <class Sink>
void put_body(Sink&, const pingreq&, protocol_version) noexcept {}
template <class Sink>
void put_body(Sink&, const pingresp&, protocol_version) noexcept {}

}  // namespace mqttconn::detail

MQTTCONN_INSTANTIATE_ENCODER(pingreq)
MQTTCONN_INSTANTIATE_ENCODER(pingresp)
