#include "catalogue.hpp"

#include <cstdlib>
#include <filesystem>

#include "mailrep/data/providers.hpp"
#include "mailrep/data/selectors.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::cli {

std::string lists_file(const Context& ctx, const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!ctx.lists_path.empty() && fs::is_directory(ctx.lists_path, ec)) {
    fs::path p = fs::path(ctx.lists_path) / name;
    if (fs::exists(p, ec)) return p.string();
  }
  return shipped_lists_dir() + "/" + name;
}

Result<data::Catalogue> load_catalogue(Context& ctx) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string path = lists_file(ctx, "dnsbl.toml");
  bool user_file = false;
  if (!ctx.lists_path.empty() && !fs::is_directory(ctx.lists_path, ec)) {
    if (!fs::exists(ctx.lists_path, ec)) return fail(ErrorCode::io, "--lists: no such file or directory: " + ctx.lists_path);
    path = ctx.lists_path;
    user_file = true;
  } else if (!ctx.lists_path.empty()) {
    user_file = path.rfind(ctx.lists_path, 0) == 0;
  }
  auto cat = data::load_blocklists(path);
  if (!cat) return tl::unexpected(cat.error());
  for (const auto& w : cat->warnings) ctx.notes.push_back(w);
  if (user_file) {
    auto shipped = data::load_blocklists(shipped_lists_dir() + "/dnsbl.toml");
    if (shipped) {
      for (auto& list : cat->lists) {
        for (const auto& known : shipped->lists) {
          if (known.dead && !list.dead && util::iequals(known.zone, list.zone)) {
            list.dead = true;
            list.dead_reason = known.dead_reason;
            ctx.notes.push_back(path + ":" + std::to_string(list.line) + ": list '" + list.id + "' (" + list.zone +
                                ") is dead and will not be queried: " + known.dead_reason);
          }
        }
      }
    }
  }
  data::Keys keys;
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
  };
  keys.spamhaus = ctx.vm.count("spamhaus-key") ? ctx.vm["spamhaus-key"].as<std::string>() : env("MAILREP_SPAMHAUS_KEY");
  keys.spamrats = env("MAILREP_SPAMRATS_KEY");
  keys.abusix = env("MAILREP_ABUSIX_KEY");
  if (auto ok = data::apply_keys(*cat, keys); !ok) return tl::unexpected(ok.error());
  // Lists whose operators punish bursts are paced by the resolver (after apply_keys: the zone asked).
  for (const auto& list : cat->lists)
    if (list.queryable() && list.rate_limit_qps > 0) ctx.limit_zone({list.rate_zone(), list.rate_limit_qps, list.rate_burst});
  return cat;
}

Result<assess::AuthOptions> auth_options(Context& ctx) {
  assess::AuthOptions o;
  if (ctx.vm.count("selector")) o.selectors = ctx.vm["selector"].as<std::vector<std::string>>();
  auto sel = data::load_dkim_selectors(lists_file(ctx, "dkim-selectors.toml"));
  if (!sel) return tl::unexpected(sel.error());
  o.common_selectors = data::selector_names(*sel);
  // The selectors the known providers sign with are common too.
  if (auto providers = data::load_providers(lists_file(ctx, "providers.toml")))
    for (const auto& p : providers->providers)
      for (const auto& s : p.dkim_selectors) o.common_selectors.push_back(s);
  return o;
}

}  // namespace mailrep::cli
