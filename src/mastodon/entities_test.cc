#include "mastodon/entities.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

TEST(AccountJson, HasEveryRequiredKey) {
  Account a;
  a.id = 42;
  a.username = "alice";
  a.note = "hi <b>";
  a.fields = {{"site", "https://a.example"}};
  const auto o = CredentialAccountJson(a, "https://chirp.example");
  for (const char* key : {"id",
                          "username",
                          "acct",
                          "url",
                          "uri",
                          "display_name",
                          "note",
                          "avatar",
                          "avatar_static",
                          "header",
                          "header_static",
                          "locked",
                          "bot",
                          "group",
                          "fields",
                          "emojis",
                          "created_at",
                          "statuses_count",
                          "followers_count",
                          "following_count",
                          "discoverable",
                          "last_status_at",
                          "source",
                          "role"}) {
    EXPECT_TRUE(o.contains(key)) << key;
  }
  EXPECT_EQ(o.at("id").as_string(), "42");
  EXPECT_EQ(o.at("note").as_string(), "<p>hi &lt;b&gt;</p>");
  EXPECT_EQ(o.at("url").as_string(), "https://chirp.example/@alice");
  EXPECT_TRUE(o.at("last_status_at").is_null());
  EXPECT_EQ(o.at("source").at("note").as_string(), "hi <b>");
  EXPECT_NE(o.at("fields").at(0).at("value").as_string().find("<a href=\"https://a.example\""),
            std::string::npos);
}

TEST(ApplicationJson, CredentialsOnlyWhenGiven) {
  App app;
  app.id = 7;
  app.name = "x";
  app.scopes = "read write";
  app.redirect_uris = {"urn:ietf:wg:oauth:2.0:oob"};
  app.client_id = "cid";
  const auto plain = ApplicationJson(app, "");
  EXPECT_FALSE(plain.contains("client_secret"));
  EXPECT_TRUE(plain.at("website").is_null());
  EXPECT_EQ(plain.at("scopes").as_array().size(), 2u);
  const auto creds = ApplicationJson(app, "secret");
  EXPECT_EQ(creds.at("client_secret").as_string(), "secret");
  EXPECT_EQ(creds.at("client_secret_expires_at").as_int64(), 0);
  EXPECT_EQ(creds.at("redirect_uri").as_string(), "urn:ietf:wg:oauth:2.0:oob");
}

TEST(FieldValueHtml, LinksOnlyPlainUrls) {
  EXPECT_EQ(FieldValueHtml("<script>"), "&lt;script&gt;");
  EXPECT_EQ(FieldValueHtml("javascript:alert(1)"), "javascript:alert(1)");
}

}  // namespace
}  // namespace chirp
