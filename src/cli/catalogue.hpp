#pragma once
// Private to src/cli: loading the lists/ data the way --lists and the key options say.
#include "context.hpp"
#include "mailrep/data/blocklists.hpp"

namespace mailrep::cli {

/// The blocklist catalogue: --lists FILE replaces it, --lists DIR takes DIR/dnsbl.toml if there,
/// else the shipped one. Keys from --spamhaus-key / MAILREP_SPAMHAUS_KEY, MAILREP_SPAMRATS_KEY,
/// MAILREP_ABUSIX_KEY. Lists in a user file whose zone the shipped catalogue knows as dead are
/// marked dead with a warning (added to ctx.notes).
[[nodiscard]] Result<data::Catalogue> load_catalogue(Context& ctx);

/// Path of one lists/ file (dnsbl.toml, receivers.toml, providers.toml, dkim-selectors.toml ...).
[[nodiscard]] std::string lists_file(const Context& ctx, const std::string& name);

}  // namespace mailrep::cli
