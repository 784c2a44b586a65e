// libFuzzer target: SPF record parsing and macro expansion (record.cpp, macro.cpp).
// Invariants checked: no crash, error positions inside the input, expansions within the cap,
// query names within DNS limits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailrep/auth/spf/record.hpp"

using namespace mailrep::auth::spf;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

MacroValues fuzz_values() {
  MacroValues v;
  v.sender = "strong-bad@email.example.com";
  v.local_part = "strong-bad";
  v.sender_domain = "email.example.com";
  v.domain = "email.example.com";
  v.ip = *mailrep::util::IpAddress::parse("2001:db8::cb01");
  v.helo = "mx.example.org";
  v.timestamp = 1700000000;
  v.validated_name = "mx.example.org";
  return v;
}

void check_expansion(std::string_view text, const MacroValues& v, MacroSyntax syntax) {
  auto out = expand_macros(text, v, syntax);
  if (!out) {
    if (out.error().position > text.size()) __builtin_trap();
    return;
  }
  if (out->size() > k_max_expansion) __builtin_trap();
  if (auto name = to_query_name(*out); name && (name->size() > 253 || name->empty())) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const MacroValues values = fuzz_values();

  // As a record (with and without the version prefix the fuzzer may not find on its own).
  for (int pass = 0; pass < 2; ++pass) {
    std::string owned;
    std::string_view input = text;
    if (pass == 1) {
      owned = "v=spf1 ";
      owned.append(text);
      input = owned;
    }
    const Record rec = parse_record(input);
    for (const auto& e : rec.errors)
      if (e.position > input.size() || e.position + e.length > input.size()) __builtin_trap();
    for (const auto& t : rec.terms) {
      if (t.position + t.length > input.size()) __builtin_trap();
      if (!t.domain_spec.empty()) check_expansion(t.domain_spec, values, MacroSyntax::domain_spec);
    }
    for (const auto& m : rec.modifiers) {
      const bool known = m.name == "redirect" || m.name == "exp";
      check_expansion(m.value, values, known ? MacroSyntax::domain_spec : MacroSyntax::modifier);
    }
  }
  // As explanation text and as a bare domain-spec.
  check_expansion(text, values, MacroSyntax::explanation);
  if (auto e = check_domain_spec(text); e && e->position > text.size()) __builtin_trap();
  return 0;
}
