// What capi/ files other than conn.cpp need of a connection handle beyond the public entry
// points: its allocator (so their arrays come from the caller's hooks too) and its status (so
// their mistakes are remembered for mqttconn_conn_last_error() and a failed allocation makes
// the handle fatal, as in every other entry point).
#pragma once

#include <memory_resource>

#include "guard.hpp"

namespace mqttconn::capi {

std::pmr::memory_resource& resource_of(mqttconn_conn& c) noexcept;
status& status_of(mqttconn_conn& c) noexcept;

}  // namespace mqttconn::capi
