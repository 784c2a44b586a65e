#include "address_view.hpp"

#include "mailrep/util/text.hpp"

namespace mailrep::cli {

nlohmann::json allow_json(const dnsbl::ListResult& l) {
  return {{"list", l.list->id}, {"zone", l.list->display_zone}, {"answer", util::join(l.answers(), ",")},
          {"meaning", util::join(l.meanings(), "; ")}};
}

nlohmann::json listing_json(const dnsbl::ListResult& l) {
  nlohmann::json j = allow_json(l);
  j["severity"] = std::string(data::to_string(l.severity()));
  if (!l.txt.empty()) j["txt"] = l.txt;
  if (!l.list->delist.empty()) j["delist"] = l.list->delist;
  return j;
}

nlohmann::json address_json(const assess::AddressReport& a) {
  nlohmann::json j;
  j["address"] = a.address.to_string();
  j["source"] = a.source;
  j["ptr"] = a.rdns.ptr;
  if (a.rdns.fcrdns == rdns::Fcrdns::unknown) j["fcrdns"] = nullptr;
  else j["fcrdns"] = a.rdns.fcrdns == rdns::Fcrdns::confirmed;
  j["fcrdns_state"] = std::string(rdns::to_string(a.rdns.fcrdns));
  if (!a.generic_reason.empty()) j["ptr_generic"] = a.generic_reason;
  nlohmann::json listings = nlohmann::json::array(), errors = nlohmann::json::array(), allow = nlohmann::json::array();
  for (const auto& l : a.listings) listings.push_back(listing_json(l));
  for (const auto& l : a.allow) allow.push_back(allow_json(l));
  for (const auto& l : a.errors) errors.push_back({{"list", l.list->id}, {"zone", l.list->display_zone}, {"error", l.error}});
  j["listings"] = listings;
  j["errors"] = errors;
  j["allow"] = allow;
  j["lists_checked"] = a.lists_checked;
  return j;
}

}  // namespace mailrep::cli
