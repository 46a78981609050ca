// mosquitto_sub's -F output format: %-sequences for the message's fields and MQTT 5
// properties, \-escapes for awkward characters (field widths and time formats are not kept).
#pragma once

#include <cstdio>
#include <string_view>

#include "mqttconn/packet.hpp"

namespace client {

void print_formatted(std::string_view format, const mqttconn::publish& m, std::FILE* out);

}  // namespace client
