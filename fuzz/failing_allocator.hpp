// failing_allocator: an mqttconn_allocator that counts, checks and can refuse allocations
// (fuzz_capi, fuzz_batch). Modes: never fail, refuse the n-th allocation, the n-th and every
// later one, or at random (xorshift, so a run is deterministic). Each allocation is checked
// against a size bound and its alignment, each free against the size and alignment of its
// allocation; `live` holds what is still allocated, so a run can check that nothing leaked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <new>
#include <utility>

#include "fuzz_support.hpp"
#include "mqttconn.h"

namespace mqttconn::fuzz {

struct failing_allocator {
  int mode = 0;  // 0 never fails, 1 refuses the n-th, 2 the n-th and later, 3 at random
  unsigned long n = 0;
  std::uint32_t rng = 0;
  std::uint8_t probability = 0;
  std::size_t bound = ~std::size_t{0};
  unsigned long count = 0;    // allocations asked for
  unsigned long refused = 0;  // allocations refused
  std::map<void*, std::pair<std::size_t, std::size_t>> live;
  mqttconn_allocator hooks{this, &alloc_hook, &free_hook};

  bool refuse() {
    ++count;
    switch (mode) {
      case 1: return count == n;
      case 2: return count >= n;
      case 3:
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        return (rng & 0xFF) < probability;
      default: return false;
    }
  }

  static void* alloc_hook(std::size_t size, std::size_t align, void* user) {
    auto& a = *static_cast<failing_allocator*>(user);
    FUZZ_CHECK(size <= a.bound, "an allocation of %zu bytes; the limits allow %zu", size, a.bound);
    FUZZ_CHECK(align != 0 && (align & (align - 1)) == 0, "an allocation aligned to %zu", align);
    if (a.refuse()) {
      ++a.refused;
      return nullptr;
    }
    void* p = ::operator new(size == 0 ? 1 : size, std::align_val_t(align));
    a.live.emplace(p, std::make_pair(size, align));
    return p;
  }

  static void free_hook(void* p, std::size_t size, std::size_t align, void* user) {
    auto& a = *static_cast<failing_allocator*>(user);
    if (p == nullptr) return;
    const auto it = a.live.find(p);
    FUZZ_CHECK(it != a.live.end(), "free of a block the allocator did not give");
    FUZZ_CHECK(it->second.first == size && it->second.second == align,
               "free of a %zu-byte block aligned to %zu as %zu bytes aligned to %zu", it->second.first,
               it->second.second, size, align);
    a.live.erase(it);
    ::operator delete(p, std::align_val_t(align));
  }
};

}  // namespace mqttconn::fuzz
