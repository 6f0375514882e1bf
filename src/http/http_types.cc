#include "http/http_types.h"

#include "http/spooled_body.h"

namespace chirp {

std::string_view HttpRequest::Body() const { return spooled ? spooled->view() : body; }

void HttpResponse::AddHeader(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
}

}  // namespace chirp
