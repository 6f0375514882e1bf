#include "core/secrets.h"

#include <gtest/gtest.h>

#include <set>

namespace chirp {
namespace {

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(InitSecrets()); }
};

TEST_F(SecretsTest, TokensAreUrlSafeAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string t = RandomToken();
    EXPECT_EQ(t.size(), 43u);  // 32 bytes, base64 without padding
    for (char c : t) {
      EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << t;
    }
    EXPECT_TRUE(seen.insert(t).second);
  }
}

TEST_F(SecretsTest, DigestIsStableAndDiffers) {
  EXPECT_EQ(TokenDigest("abc"), TokenDigest("abc"));
  EXPECT_NE(TokenDigest("abc"), TokenDigest("abd"));
  EXPECT_EQ(TokenDigest("abc").size(), 64u);
}

TEST_F(SecretsTest, PasswordsVerifyOnlyWithTheRightPassword) {
  const std::string hash = HashPassword("correct horse");
  ASSERT_FALSE(hash.empty());
  EXPECT_TRUE(hash.starts_with("$argon2id$"));
  EXPECT_TRUE(VerifyPassword("correct horse", hash));
  EXPECT_FALSE(VerifyPassword("correct horse!", hash));
  EXPECT_FALSE(VerifyPassword("x", ""));
  EXPECT_NE(HashPassword("correct horse"), hash);  // salted
}

TEST_F(SecretsTest, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("same", "same"));
  EXPECT_FALSE(ConstantTimeEquals("same", "samf"));
  EXPECT_FALSE(ConstantTimeEquals("same", "sam"));
}

TEST_F(SecretsTest, PkceS256IsUnpaddedBase64UrlOfSha256) {
  // Expected value computed independently with Python's hashlib and base64.
  EXPECT_EQ(PkceS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gXFjWEXk"),
            "U0nE7s1M6O34Khqf-Lu1rAZGSQGjEEFwPb47v0fU-rk");
}

TEST_F(SecretsTest, EncodesAndDecodesBase64) {
  EXPECT_EQ(EncodeBase64("client:secret"), "Y2xpZW50OnNlY3JldA==");
  EXPECT_EQ(EncodeBase64(""), "");
  EXPECT_EQ(DecodeBase64("Y2xpZW50OnNlY3JldA==").value_or(""), "client:secret");
  EXPECT_FALSE(DecodeBase64("not base64!").has_value());
}

}  // namespace
}  // namespace chirp
