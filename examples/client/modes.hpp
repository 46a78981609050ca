// The two subcommands of mqttconn-client; each returns the process exit code.
#pragma once

#include <cstdint>

#include "options.hpp"

namespace client {

// An acknowledgement of packet `id` with reason code 0 and no properties.
template <class Ack>
Ack ack(std::uint16_t id) {
  Ack a;
  a.packet_id = id;
  return a;
}

int run_pub(const options& o);
int run_sub(const options& o);

}  // namespace client
