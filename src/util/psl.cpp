#include "mailrep/util/psl.hpp"

#include <libpsl.h>

#include "mailrep/util/text.hpp"

namespace mailrep::util {
namespace {
const psl_ctx_t* context() {
  // psl_latest() picks the newest of the system file and the builtin data; never freed (process lifetime).
  static const psl_ctx_t* ctx = [] {
    const psl_ctx_t* c = psl_latest(nullptr);
    return c ? c : psl_builtin();
  }();
  return ctx;
}
}  // namespace

std::string registered_domain(std::string_view host) {
  std::string h = lower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (h.empty()) return {};
  const char* r = psl_registrable_domain(context(), h.c_str());
  return r ? std::string(r) : std::string();
}

bool is_public_suffix(std::string_view name) {
  std::string h = lower(name);
  while (!h.empty() && h.back() == '.') h.pop_back();
  return !h.empty() && psl_is_public_suffix2(context(), h.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

}  // namespace mailrep::util
