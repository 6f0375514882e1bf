#include "http/params.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace chirp {
namespace {

std::string Dump(const Params& p) { return boost::json::serialize(p.root()); }

TEST(Params, QueryArraysBothStyles) {
  auto p = Params::FromQuery("id[]=1&id[]=2&x[0]=a&x[1]=b&plain=%C3%A9+y");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p->StringList("id"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(*p->StringList("x"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p->String("plain")->value(), "\xC3\xA9 y");
}

TEST(Params, NestedRailsKeys) {
  auto p = Params::FromUrlEncoded(
      "fields_attributes[0][name]=a&fields_attributes[0][value]=b&fields_attributes[1][name]=c"
      "&source[privacy]=private&media_ids[]=7");
  ASSERT_TRUE(p.ok());
  const auto fields = p->GroupList("fields_attributes");
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].String("value")->value(), "b");
  EXPECT_EQ(fields[1].String("name")->value(), "c");
  EXPECT_EQ(p->Group("source")->String("privacy")->value(), "private");
}

TEST(Params, AppendedObjectsFillInTurn) {
  auto p = Params::FromUrlEncoded("a[][n]=1&a[][v]=2&a[][n]=3");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Dump(*p), R"({"a":[{"n":"1","v":"2"},{"n":"3"}]})");
}

TEST(Params, ConflictingShapesAreBadRequests) {
  auto p = Params::FromUrlEncoded("a=1&a[b]=2");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kBadRequest);
}

TEST(Params, RejectsBadPercentEncodingAndInvalidUtf8) {
  EXPECT_FALSE(Params::FromQuery("a=%G1").ok());
  EXPECT_FALSE(Params::FromQuery("a=%4").ok());
  EXPECT_FALSE(Params::FromQuery("a=%FF").ok());
  EXPECT_FALSE(Params::FromJson("{\"a\":\"\xFF\"}").ok());
}

TEST(Params, JsonKeepsTypes) {
  auto p = Params::FromJson(R"({"locked":true,"limit":5,"name":"x","ids":["1","2"]})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Bool("locked")->value(), true);
  EXPECT_EQ(p->Int("limit")->value(), 5);
  EXPECT_EQ(*p->StringList("ids"), (std::vector<std::string>{"1", "2"}));
}

TEST(Params, MalformedJsonIsBadRequest) {
  for (const char* body : {"{", "[1,2]", "{\"a\":}", "nul"}) {
    auto p = Params::FromJson(body);
    ASSERT_FALSE(p.ok()) << body;
    EXPECT_EQ(p.error().code, ErrorCode::kBadRequest) << body;
  }
  std::string deep(100, '[');
  EXPECT_FALSE(Params::FromJson("{\"a\":" + deep + "}").ok());
}

TEST(Params, WrongTypesAreUnprocessable) {
  auto p = Params::FromJson(R"({"name":{"x":1},"locked":"banana","limit":"ten"})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->String("name").error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(p->Bool("locked").error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(p->Int("limit").error().code, ErrorCode::kUnprocessable);
  EXPECT_FALSE(p->String("absent")->has_value());
}

TEST(Params, CountsAreMagnitudesClampedWithoutOverflow) {
  const auto count = [](std::string_view query) {
    auto p = Params::FromQuery(query);
    EXPECT_TRUE(p.ok());
    return p->Count("limit", 20, 1, 40);
  };
  EXPECT_EQ(*count(""), 20);
  EXPECT_EQ(*count("limit="), 20);
  EXPECT_EQ(*count("limit=5"), 5);
  EXPECT_EQ(*count("limit=-5"), 5);
  EXPECT_EQ(*count("limit=%2B5"), 5);
  EXPECT_EQ(*count("limit=0"), 1);
  EXPECT_EQ(*count("limit=41"), 40);
  EXPECT_EQ(*count("limit=-9223372036854775808"), 40);
  EXPECT_EQ(*count("limit=9223372036854775807"), 40);
  EXPECT_EQ(*count("limit=99999999999999999999999999"), 40);
  EXPECT_EQ(*count("limit=-99999999999999999999999999"), 40);
  for (const char* bad :
       {"limit=ten", "limit=-", "limit=5x", "limit=--5", "limit= 5", "limit=5.0"}) {
    EXPECT_EQ(count(bad).error().code, ErrorCode::kUnprocessable) << bad;
  }
  auto json =
      Params::FromJson(R"({"a":-9223372036854775808,"b":18446744073709551615,"c":2.5,"d":[1]})");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json->Count("a", 20, 1, 40), 40);
  EXPECT_EQ(*json->Count("b", 20, 1, 40), 40);
  EXPECT_EQ(json->Count("c", 20, 1, 40).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(json->Count("d", 20, 1, 40).error().code, ErrorCode::kUnprocessable);
}

TEST(Params, BooleansAsRailsCastsThem) {
  auto p = Params::FromQuery("a=true&b=0&c=on&d=false&e=");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->Bool("a")->value());
  EXPECT_FALSE(p->Bool("b")->value());
  EXPECT_TRUE(p->Bool("c")->value());
  EXPECT_FALSE(p->Bool("d")->value());
  EXPECT_FALSE(p->Bool("e")->has_value());
}

TEST(Params, MultipartFieldsAndFiles) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"display_name\"\r\n\r\nAl\xC3\xAD\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"fields_attributes[0][name]\"\r\n\r\nsite\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"a.png\"\r\n"
      "Content-Type: image/png\r\n\r\n\x89PNG\r\n--XyZ--\r\n";
  auto p = Params::FromMultipart(body, "multipart/form-data; boundary=XyZ");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->String("display_name")->value(), "Al\xC3\xAD");
  EXPECT_EQ(p->GroupList("fields_attributes")[0].String("name")->value(), "site");
  ASSERT_EQ(p->files().size(), 1u);
  EXPECT_EQ(p->files()[0].filename, "a.png");
  EXPECT_EQ(p->files()[0].data, "\x89PNG");
}

TEST(Params, MalformedMultipartIsBadRequest) {
  EXPECT_FALSE(Params::FromMultipart("garbage", "multipart/form-data; boundary=XyZ").ok());
  EXPECT_FALSE(
      Params::FromMultipart("--XyZ\r\nno headers end", "multipart/form-data; boundary=XyZ").ok());
  EXPECT_FALSE(Params::FromMultipart("", "multipart/form-data").ok());
}

TEST(Params, RequestMergesQueryAndBodyWithBodyWinning) {
  auto p = Params::FromRequest("a=1&b=2", "application/json", R"({"b":"3"})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->String("a")->value(), "1");
  EXPECT_EQ(p->String("b")->value(), "3");
  EXPECT_FALSE(Params::FromRequest("", "text/xml", "<x/>").ok());
  EXPECT_TRUE(Params::FromRequest("", "text/xml", "").ok());
}

TEST(UrlCoding, RoundTrips) {
  const std::string s = "a b&c=d/é";
  EXPECT_EQ(UrlDecode(UrlEncode(s)).value(), s);
  EXPECT_EQ(UrlEncode("a b"), "a%20b");
}

}  // namespace
}  // namespace chirp
