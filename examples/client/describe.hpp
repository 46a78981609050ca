// One readable line per packet for -d, every field and property, large payloads cut short.
#pragma once

#include <string>

#include "mqttconn/packet.hpp"

namespace client {

std::string describe(const mqttconn::packet& p);

}  // namespace client
