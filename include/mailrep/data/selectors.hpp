#pragma once
/// \file The shipped list of common DKIM selectors (lists/dkim-selectors.toml) and its loader.
///
/// DKIM selectors cannot be listed from the DNS, so mailrep probes names that providers and mail
/// software use by default. Every entry says who uses it and where that is documented. A file is
/// accepted whole or rejected whole ("file:line: reason"): unknown keys, a missing or invalid
/// name, a missing source and duplicate names are errors. toml++ stays in src/data.
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/util/result.hpp"

namespace mailrep::data {

struct DkimSelector {
  std::string name;     ///< lower case; LDH/underscore labels, dots allowed
  std::string used_by;  ///< provider or software
  std::string source;   ///< where it is documented or observed
};

[[nodiscard]] Result<std::vector<DkimSelector>> parse_dkim_selectors(std::string_view toml_text,
                                                                     std::string_view source_name);
[[nodiscard]] Result<std::vector<DkimSelector>> load_dkim_selectors(const std::string& path);
/// The names only, in file order (what auth::dkim::check_dkim() takes).
[[nodiscard]] std::vector<std::string> selector_names(const std::vector<DkimSelector>& selectors);

}  // namespace mailrep::data
