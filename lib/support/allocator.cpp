#include "allocator.hpp"

#include <cstdlib>

namespace mqttconn::detail {
namespace {

// The default hooks. malloc covers alignments up to max_align_t; larger ones (never asked for
// by mqttconn itself) go to aligned_alloc, whose size must be a multiple of the alignment.
void* default_alloc(std::size_t size, std::size_t align, void*) {
  if (size == 0) size = 1;
  if (align <= alignof(std::max_align_t)) return std::malloc(size);
  return std::aligned_alloc(align, (size + align - 1) / align * align);
}

void default_free(void* p, std::size_t, std::size_t, void*) { std::free(p); }

}  // namespace

allocator_resource::allocator_resource(const mqttconn_allocator* hooks) noexcept
    : hooks_(hooks != nullptr ? *hooks : mqttconn_allocator{nullptr, default_alloc, default_free}) {}

void* allocator_resource::do_allocate(std::size_t size, std::size_t align) {
  void* p = hooks_.alloc(size, align, hooks_.user);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void allocator_resource::do_deallocate(void* p, std::size_t size, std::size_t align) {
  hooks_.free(p, size, align, hooks_.user);
}

std::pmr::memory_resource* malloc_resource() noexcept {
  static allocator_resource r(nullptr);
  return &r;
}

bool allocator_resource::do_is_equal(const std::pmr::memory_resource& other) const noexcept {
  const auto* o = dynamic_cast<const allocator_resource*>(&other);
  return o != nullptr && o->hooks_.alloc == hooks_.alloc && o->hooks_.free == hooks_.free &&
         o->hooks_.user == hooks_.user;
}

}  // namespace mqttconn::detail
